"""Generated models of the policy API group, one module per version."""
