"""Generated models of the autoscaling API group, one module per version."""
