"""The REST layer: request builder, retry policy, executor, streams and watches.

    from kubeset.rest import RESTClient, PatchType
    rest = RESTClient(config)
    rest.get().abs_path("version").do().json()

- :mod:`.request`: :class:`Request` (builder, no I/O) and :class:`PatchType`.
- :mod:`.retry`: :class:`RetryPolicy` (which attempts are repeated; no I/O).
- :mod:`.client`: :class:`RESTClient` (rate limiter, transport, retries, errors).
- :mod:`.result`: :class:`Result` (an answer, decoded on demand).
- :mod:`.stream`: :class:`LineStream` (a streamed answer, line by line).
- :mod:`.watch`: :class:`Watch` and :class:`WatchEvent` (typed watch events).
- :mod:`.call`: :class:`~.call.Call` (one call's decisions, shared by both clients).
- :mod:`.aio`, :mod:`.astream`: :class:`AsyncRESTClient`, :class:`AsyncRequest`,
  :class:`AsyncWatch` (asyncio; the transport needs ``kubeset[async]``).
"""

from __future__ import annotations

from ..transport.base import HTTPTransport
from ..transport.session import SessionTransport
from .aio import AsyncRequest, AsyncRESTClient
from .astream import AsyncLineStream, AsyncWatch
from .client import RESTClient
from .request import PatchType, Request, RequestBuilder
from .result import Result
from .retry import RetryPolicy
from .stream import LineStream
from .watch import EventType, Watch, WatchEvent

__all__ = [
    "AsyncLineStream",
    "AsyncRESTClient",
    "AsyncRequest",
    "AsyncWatch",
    "EventType",
    "HTTPTransport",
    "LineStream",
    "PatchType",
    "RESTClient",
    "Request",
    "RequestBuilder",
    "Result",
    "RetryPolicy",
    "SessionTransport",
    "Watch",
    "WatchEvent",
]
