"""Generated models of the meta API group, one module per version."""
