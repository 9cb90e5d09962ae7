"""Generated models of the admissionregistration API group, one module per version."""
