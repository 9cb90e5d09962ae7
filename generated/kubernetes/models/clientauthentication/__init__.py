"""Generated models of the clientauthentication API group, one module per version."""
