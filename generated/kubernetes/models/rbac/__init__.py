"""Generated models of the rbac API group, one module per version."""
