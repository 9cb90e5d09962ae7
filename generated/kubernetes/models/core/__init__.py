"""Generated models of the core API group, one module per version."""
