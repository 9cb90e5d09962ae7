"""Generated models: one module per API group version (models/<package>/<version>.py)."""
