"""CallShield engine: capture, detectors, fusion, policy and audit. Never imports Qt."""

__version__ = "0.1.0"
