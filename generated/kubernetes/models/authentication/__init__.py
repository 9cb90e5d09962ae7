"""Generated models of the authentication API group, one module per version."""
