"""Generated models of the admission API group, one module per version."""
