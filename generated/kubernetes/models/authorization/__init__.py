"""Generated models of the authorization API group, one module per version."""
