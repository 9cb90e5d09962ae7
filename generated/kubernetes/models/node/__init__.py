"""Generated models of the node API group, one module per version."""
