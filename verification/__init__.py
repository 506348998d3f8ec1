"""CallShield engine: capture, detectors, fusion, policy and audit. Never imports Qt."""

import os

__version__ = "0.1.0"

# Nothing leaves the machine. ONNX Runtime's Linux and macOS wheels carry telemetry that, when
# onnxruntime is imported, writes a device id and an event store under the user's cache folder
# and may upload events. It reads this switch once, at import, so it is set here, before any
# engine module imports onnxruntime (tests/verification/test_nothing_leaves_the_machine.py).
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
