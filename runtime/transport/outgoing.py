"""What every request sent with a Config carries, decided once for both transports.

    policy = Outgoing(config, environ_proxies=environ_proxies)
    auth = policy.credentials.for_request(request.headers)
    lines = policy.header_lines(request, auth)      # [("User-Agent", ...), ("Authorization", ...), ...]
    proxy = policy.proxy_for(request.url)           # "http://proxy:3128", or None: direct

The credential and ``Impersonate-*`` lines (:class:`~.auth.Credentials`), the User-Agent, the
compression choice and the proxy (``proxy-url``, else ``HTTPS_PROXY``/``HTTP_PROXY`` honouring
``NO_PROXY``, as Go's ``ProxyFromEnvironment``; never for loopback).  No I/O: the requests
transport (:mod:`.session`) and the asyncio one (:mod:`.aiosession`) put these on the wire.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Callable, Mapping

from ..config import Config, default_user_agent
from ..errors import ConfigError
from .auth import Credentials, RequestAuth
from .base import HTTPRequest

__all__ = ["REPEATED_HEADERS", "Outgoing", "is_loopback"]

REPEATED_HEADERS = ("Impersonate-Group", "Impersonate-Extra-")
"""Header names (or prefixes) that repeat as separate lines, one value each."""


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _socks_remote_dns(proxy: str) -> str:
    # Go resolves names through a SOCKS5 proxy; urllib3 does that for "socks5h".
    if proxy.lower().startswith("socks5://"):
        return "socks5h://" + proxy[len("socks5://") :]
    return proxy


class Outgoing:
    """One Config's request policy: credentials, fixed headers, proxy (see the module doc)."""

    def __init__(
        self, config: Config, *, environ_proxies: Callable[[str], Mapping[str, str]]
    ) -> None:
        self.config = config
        self._environ_proxies = environ_proxies
        self.credentials = Credentials(config)
        self.fixed_headers: dict[str, str] = {
            "User-Agent": config.user_agent or default_user_agent()
        }
        if config.disable_compression:
            self.fixed_headers["Accept-Encoding"] = "identity"
        self.proxy_scheme = ""
        if config.proxy_url:
            scheme = urllib.parse.urlsplit(config.proxy_url).scheme.lower()
            if scheme not in ("http", "https", "socks5"):
                raise ConfigError(
                    f"proxy-url: unsupported scheme {scheme!r}, "
                    'must be "http", "https", or "socks5"'
                )
            self.proxy_scheme = scheme
        self._proxy_cache: dict[str, str | None] = {}

    def __repr__(self) -> str:
        return f"Outgoing(host={self.config.host!r})"

    def header_lines(self, request: HTTPRequest, auth: RequestAuth) -> list[tuple[str, str]]:
        """The request's header lines in order: fixed ones, the credential's (a name in
        :data:`REPEATED_HEADERS` may repeat), then the request's own (which win)."""
        own = request.headers
        single: dict[str, str] = dict(self.fixed_headers)
        repeated: list[tuple[str, str]] = []
        for key, value in auth.headers:
            if key.startswith(REPEATED_HEADERS):
                repeated.append((key, value))
            else:
                single[key] = value
        for key in list(single):
            if key in own:
                del single[key]
        return [*single.items(), *own.items(), *repeated]

    def proxy_for(self, url: str) -> str | None:
        """The proxy URL for ``url`` (None: connect directly)."""
        if self.config.proxy_url:
            return _socks_remote_dns(self.config.proxy_url)
        parts = urllib.parse.urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key in self._proxy_cache:
            return self._proxy_cache[key]
        found: str | None = None
        if not is_loopback(parts.hostname or ""):
            # like Go's ProxyFromEnvironment: HTTPS_PROXY / HTTP_PROXY honouring NO_PROXY
            # (ALL_PROXY is not used); like Go, the environment is read once (per host here)
            chosen = self._environ_proxies(url).get(parts.scheme)
            found = _socks_remote_dns(chosen) if chosen else None
        if len(self._proxy_cache) < 256:
            self._proxy_cache[key] = found
        return found
