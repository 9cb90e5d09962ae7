"""Generated models of the apidiscovery API group, one module per version."""
