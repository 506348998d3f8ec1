# onnxruntime loads its execution providers (libonnxruntime_providers_*.so / *.dll / DirectML.dll)
# by file name at session creation, which the import graph cannot see: take every library the
# installed build ships (CPU, onnxruntime-gpu, onnxruntime-directml and the macOS CoreML build alike).
from PyInstaller.utils.hooks import collect_dynamic_libs, collect_submodules

binaries = collect_dynamic_libs("onnxruntime")
hiddenimports = collect_submodules("onnxruntime.capi")
