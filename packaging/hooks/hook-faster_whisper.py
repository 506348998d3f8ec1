# Reserved for the speech recogniser (faster-whisper on CTranslate2), if it lands: inert until the
# app imports faster_whisper. Whisper weights are models like the others: list them in
# models/manifest.toml so packaging/stage_models.py verifies and bundles them.
from PyInstaller.utils.hooks import collect_data_files, collect_dynamic_libs, collect_submodules

datas = collect_data_files("faster_whisper")  # the Silero VAD asset it ships
binaries = collect_dynamic_libs("ctranslate2")  # libctranslate2 and its bundled libs
hiddenimports = collect_submodules("ctranslate2")
