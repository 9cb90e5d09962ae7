"""Generated models of the networking API group, one module per version."""
