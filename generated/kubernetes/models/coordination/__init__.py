"""Generated models of the coordination API group, one module per version."""
