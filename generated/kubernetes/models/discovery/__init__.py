"""Generated models of the discovery API group, one module per version."""
