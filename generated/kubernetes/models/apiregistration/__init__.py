"""Generated models of the apiregistration API group, one module per version."""
