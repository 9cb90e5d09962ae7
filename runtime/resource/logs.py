"""Pod logs: the ``log`` subresource, whole or followed line by line.

text = pods.log("web-0", tail_lines=10)
with pods.log_stream("web-0") as lines:     # follows the log until stop()
    for line in lines:
        print(line)
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypedDict, Unpack, overload

from ..rest.aio import AsyncRequest
from ..rest.astream import AsyncLogStream
from ..rest.request import Request
from ..rest.result import Result
from ..rest.stream import LogStream
from .client import R, ResourceClient

__all__ = ["AsyncLogStream", "HasLog", "LogOptions", "LogStream"]


class LogOptions(TypedDict, total=False):
    """What part of a pod's log to read (client-go's PodLogOptions)."""

    container: str | None  # needed when the pod has several containers
    previous: bool  # the log of the previous, terminated instance of the container
    since_seconds: int | None
    since_time: str | None  # RFC 3339
    tail_lines: int | None
    timestamps: bool  # prefix each line with its RFC 3339 timestamp
    limit_bytes: int | None
    insecure_skip_tls_verify_backend: bool
    timeout: float | None  # client-side seconds


def _text(result: Result) -> str:
    return result.text()


class HasLog(ResourceClient[R]):
    """The ``log`` subresource of pods (``await`` and ``async for`` on an asyncio client)."""

    __slots__ = ()

    def _log_request(self, name: str, follow: bool, options: LogOptions) -> R:
        req = self.request("GET", name, "log")
        req.accept("text/plain, */*").timeout(options.get("timeout")).params(
            container=options.get("container"),
            follow=follow or None,
            previous=options.get("previous") or None,
            sinceSeconds=options.get("since_seconds"),
            sinceTime=options.get("since_time"),
            tailLines=options.get("tail_lines"),
            timestamps=options.get("timestamps") or None,
            limitBytes=options.get("limit_bytes"),
            insecureSkipTLSVerifyBackend=options.get("insecure_skip_tls_verify_backend") or None,
        )
        return req

    @overload
    def log(self: HasLog[Request], name: str, **options: Unpack[LogOptions]) -> str: ...
    @overload
    def log(
        self: HasLog[AsyncRequest], name: str, **options: Unpack[LogOptions]
    ) -> Coroutine[Any, Any, str]: ...
    def log(self, name: str, **options: Unpack[LogOptions]) -> Any:
        """The pod's log so far, as text."""
        return self._log_request(name, False, options).do_then(_text)

    @overload
    def log_stream(
        self: HasLog[Request], name: str, *, follow: bool = ..., **options: Unpack[LogOptions]
    ) -> LogStream: ...
    @overload
    def log_stream(
        self: HasLog[AsyncRequest], name: str, *, follow: bool = ..., **options: Unpack[LogOptions]
    ) -> AsyncLogStream: ...
    def log_stream(self, name: str, *, follow: bool = True, **options: Unpack[LogOptions]) -> Any:
        """The pod's log line by line as it is written (``follow``); stop() or ``with`` to end
        (``async with`` / ``async for`` on asyncio)."""
        req = self._log_request(name, follow, options)
        if follow:
            req.read_timeout(None)
        return req.log_stream()
