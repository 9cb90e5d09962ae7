"""Generated models of the storage API group, one module per version."""
