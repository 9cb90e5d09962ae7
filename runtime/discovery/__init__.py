"""Discovery: what the server is and serves."""

from .client import APIGroupInfo, APIResourceInfo, DiscoveryClient, ServerVersion

__all__ = ["APIGroupInfo", "APIResourceInfo", "DiscoveryClient", "ServerVersion"]
