"""Generated models of the batch API group, one module per version."""
