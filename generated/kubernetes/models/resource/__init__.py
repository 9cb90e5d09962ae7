"""Generated models of the resource API group, one module per version."""
