import os

# Real Qt widgets, no display needed.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
