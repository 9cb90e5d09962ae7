"""Generated models of the storagemigration API group, one module per version."""
