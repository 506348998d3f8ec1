"""Training pipeline for the `voice_synthetic` model (training-only: never imported at run time)."""
