"""The HTTP seam and kubeset's transports.

    from kubeset.transport import HTTPRequest, MockTransport, Response, Transport

- :mod:`.base`: :class:`HTTPRequest`, :class:`Response`, :class:`Headers`, :class:`Timeouts` and
  the :class:`HTTPTransport` protocol: the one interface between kubeset and HTTP.
- :mod:`.session`: :class:`Transport` (a Config over ``requests``), :class:`SessionTransport`.
- :mod:`.mock`: :class:`MockTransport` (a function answers; no sockets).
- :mod:`.tls`, :mod:`.auth`: what a Config puts on the wire (TLS; credentials, impersonation).
"""

from __future__ import annotations

from ..config import default_user_agent
from ..flowcontrol import TokenBucketRateLimiter
from .base import Headers, HTTPRequest, HTTPTransport, Response, Timeouts
from .mock import MockTransport
from .session import SessionTransport, Transport
from .tls import build_ssl_context

__all__ = [
    "HTTPRequest",
    "HTTPTransport",
    "Headers",
    "MockTransport",
    "Response",
    "SessionTransport",
    "Timeouts",
    "TokenBucketRateLimiter",
    "Transport",
    "build_ssl_context",
    "default_user_agent",
]
