"""Generated models of the certificates API group, one module per version."""
