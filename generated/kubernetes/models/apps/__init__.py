"""Generated models of the apps API group, one module per version."""
