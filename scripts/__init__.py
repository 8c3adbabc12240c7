"""Developer scripts, run from the repository root (`python scripts/<name>.py`)."""
