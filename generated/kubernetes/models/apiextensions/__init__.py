"""Generated models of the apiextensions API group, one module per version."""
