"""Generated models of the flowcontrol API group, one module per version."""
