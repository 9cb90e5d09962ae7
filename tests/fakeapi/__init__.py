"""A fake API server with hand-written models and clients, shared by the rest and resource unit tests."""
