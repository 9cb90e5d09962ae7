"""Generated models of the events API group, one module per version."""
