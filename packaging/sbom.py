"""CycloneDX 1.5 bill of materials of the frozen app, and the licence check that gates the build.

Python packages come from what PyInstaller put in the bundle (build/bundle-contents-OS.json, written
by the spec), mapped to the installed distributions with their versions and licences; the models
come from the staged manifest with their sha256 and licences (notices: models/THIRD_PARTY.md).

    python packaging/sbom.py --contents build/bundle-contents-linux.json --models build/staged-models \\
        --version 0.1.0 --out dist/callshield.cdx.json
Exit status 1 (one line per package) when a GPL-only or training-only package is in the bundle."""

from __future__ import annotations

import argparse
import json
import platform
import sys
import uuid
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from licence_check import Component, licence_problems  # noqa: E402

OWN = {"verification", "desktop", "entry"}
_CLASSIFIER = "License :: "


def distribution_licences(dist: metadata.Distribution) -> tuple[str, ...]:
    """SPDX expression when the package declares one, else its short licence field, else its classifiers."""
    meta = dist.metadata
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return (expression,)
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 80:
        return (text,)
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith(_CLASSIFIER)]
    return tuple(classifiers) or ("unknown",)


def top_level_names(contents: dict[str, list[str]]) -> set[str]:
    """Import names of what is in the bundle: modules, and the first folder of each library or data file."""
    names = {m.split(".")[0] for m in contents["modules"]}
    for dest in [*contents["binaries"], *contents["datas"]]:
        first = dest.replace("\\", "/").split("/")[0]
        if "/" in dest.replace("\\", "/"):
            names.add(first.removesuffix(".libs").removesuffix(".dylibs"))
    return names


def bundled_distributions(names: Iterable[str]) -> dict[str, metadata.Distribution]:
    owners = metadata.packages_distributions()
    found: dict[str, metadata.Distribution] = {}
    for name in sorted(set(names) - OWN):
        for dist_name in owners.get(name, []):
            dist = metadata.distribution(dist_name)
            found[dist.metadata["Name"].lower()] = dist
    found.pop("callshield", None)
    return found


def _licence_field(licences: tuple[str, ...]) -> list[dict[str, Any]]:
    if len(licences) == 1 and (" OR " in licences[0] or " AND " in licences[0] or " WITH " in licences[0]):
        return [{"expression": licences[0]}]
    return [{"license": {"name": text}} for text in licences]


def package_component(dist: metadata.Distribution) -> tuple[dict[str, Any], Component]:
    name, version = dist.metadata["Name"], dist.version
    licences = distribution_licences(dist)
    return ({"type": "library", "bom-ref": f"pkg:pypi/{name.lower()}@{version}", "name": name, "version": version,
             "purl": f"pkg:pypi/{name.lower()}@{version}", "licenses": _licence_field(licences)},
            Component(name, version, licences))


def model_components(staged_models: Path) -> list[dict[str, Any]]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from verification.inference.manifest import load_manifest

    manifest = load_manifest(staged_models / "manifest.toml")
    out = []
    for entry in manifest.models:
        source = entry.source
        origin = (f"{source.package}=={source.version}:{source.path}" if source.kind == "package"
                  else f"trained by this project: {source.training_command}")
        out.append({"type": "machine-learning-model", "bom-ref": f"model:{entry.id}", "name": entry.id,
                    "version": entry.sha256[:12], "description": entry.description,
                    "hashes": [{"alg": "SHA-256", "content": entry.sha256}],
                    "licenses": [{"license": {"name": entry.license}}],
                    "properties": [{"name": "callshield:file", "value": f"models/{entry.file}"},
                                   {"name": "callshield:size", "value": str(entry.size)},
                                   {"name": "callshield:source", "value": origin},
                                   {"name": "callshield:attribution", "value": entry.attribution},
                                   {"name": "callshield:notices", "value": "models/THIRD_PARTY.md"}]})
    return out


def runtime_components() -> tuple[list[dict[str, Any]], list[Component]]:
    """The interpreter and PyInstaller's bootloader, which are in every bundle without being packages."""
    python = platform.python_version()
    try:
        bootloader = metadata.version("pyinstaller")
    except metadata.PackageNotFoundError:
        bootloader = "unknown"
    boot_licence = "GPL-2.0-or-later WITH Bootloader-exception"
    return ([{"type": "application", "bom-ref": f"cpython@{python}", "name": "cpython", "version": python,
              "licenses": [{"license": {"id": "PSF-2.0"}}]},
             {"type": "application", "bom-ref": f"pyinstaller-bootloader@{bootloader}", "name": "pyinstaller-bootloader",
              "version": bootloader, "licenses": [{"expression": boot_licence}]}],
            [Component("cpython", python, ("PSF-2.0",)), Component("pyinstaller-bootloader", bootloader, (boot_licence,))])


def build_sbom(contents: dict[str, list[str]], staged_models: Path, version: str,
               ) -> tuple[dict[str, Any], list[Component]]:
    packages = [package_component(d) for d in bundled_distributions(top_level_names(contents)).values()]
    runtime, runtime_checked = runtime_components()
    sbom = {
        "bomFormat": "CycloneDX", "specVersion": "1.5", "serialNumber": f"urn:uuid:{uuid.uuid4()}", "version": 1,
        "metadata": {"timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "component": {"type": "application", "bom-ref": f"callshield@{version}", "name": "callshield",
                                   "version": version, "licenses": [{"license": {"id": "Apache-2.0"}}]},
                     "properties": [{"name": "callshield:platform", "value": f"{sys.platform}-{platform.machine()}"}]},
        "components": sorted((c for c, _ in packages), key=lambda c: c["name"].lower())
        + runtime + model_components(staged_models),
    }
    return sbom, [checked for _, checked in packages] + runtime_checked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sbom", description="CycloneDX SBOM of the frozen app + licence check")
    parser.add_argument("--contents", type=Path, required=True)
    parser.add_argument("--models", type=Path, required=True, help="staged model folder (with manifest.toml)")
    parser.add_argument("--version", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        contents = json.loads(args.contents.read_text())
    except (OSError, ValueError) as exc:
        print(f"sbom: error: cannot read {args.contents}: {exc}", file=sys.stderr)
        return 2
    sbom, checked = build_sbom(contents, args.models, args.version)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(sbom, indent=2) + "\n")
    problems = licence_problems(checked)
    for line in problems:
        print(f"sbom: licence check failed: {line}", file=sys.stderr)
    kinds = [c["type"] for c in sbom["components"]]
    print(f"sbom: {args.out}: {kinds.count('library')} packages, {kinds.count('machine-learning-model')} models"
          + ("" if problems else "; licence check passed"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
