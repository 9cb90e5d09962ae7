"""Generated models of the apiserverinternal API group, one module per version."""
