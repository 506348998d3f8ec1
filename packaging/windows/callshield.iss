; Inno Setup script: CallShield for Windows, from the one-folder build in dist\callshield.
;   bash packaging/build.sh windows
;   iscc /DAppVersion=0.1.0 packaging\windows\callshield.iss     -> dist\CallShield-0.1.0-setup.exe
; Sign the executables and the installer with the organisation's code-signing certificate
; (SignTool in CI: packaging/ci/build.yml); IT can deploy it silently: CallShield-setup.exe /VERYSILENT.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define Root "..\.."

[Setup]
AppId={{6C1E6E2A-3F0B-4C55-9E7B-CA11511E1D00}
AppName=CallShield
AppVersion={#AppVersion}
AppPublisher=CallShield
DefaultDirName={autopf}\CallShield
DefaultGroupName=CallShield
DisableProgramGroupPage=yes
OutputDir={#Root}\dist
OutputBaseFilename=CallShield-{#AppVersion}-setup
SetupIconFile={#Root}\packaging\assets\callshield.ico
UninstallDisplayIcon={app}\callshield-desktop.exe
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog
ChangesEnvironment=yes
LicenseFile={#Root}\packaging\windows\LICENSE.txt

[Files]
Source: "{#Root}\dist\callshield\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#Root}\dist\callshield-{#AppVersion}-windows.cdx.json"; DestDir: "{app}"; DestName: "sbom.cdx.json"; Flags: ignoreversion

[Icons]
Name: "{group}\CallShield"; Filename: "{app}\callshield-desktop.exe"
Name: "{autodesktop}\CallShield"; Filename: "{app}\callshield-desktop.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked
Name: "addtopath"; Description: "Add the callshield command to PATH"; Flags: unchecked

[Registry]
; per-machine installs add to the system PATH, per-user installs to the user's
Root: HKA; Subkey: "{code:EnvKey}"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; \
  Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
; prove the installed copy works before anyone relies on it: models, sessions, an analysis, database, audit
Filename: "{app}\callshield.exe"; Parameters: "doctor --self-check"; StatusMsg: "Checking the installation..."; \
  Flags: runhidden waituntilterminated
Filename: "{app}\callshield-desktop.exe"; Description: "Start CallShield"; Flags: nowait postinstall skipifsilent

[Code]
function EnvKey(Param: String): String;
begin
  if IsAdminInstallMode then
    Result := 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
  else
    Result := 'Environment';
end;

function NeedsAddPath(Dir: String): Boolean;
var
  Paths: String;
begin
  if not RegQueryStringValue(HKA, EnvKey(''), 'Path', Paths) then
    Paths := '';
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') = 0;
end;
