"""Generated models of the scheduling API group, one module per version."""
