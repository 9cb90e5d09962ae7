"""Placeholder until the generator writes this package (make generate)."""
