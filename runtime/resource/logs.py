"""Pod logs: the ``log`` subresource, whole or followed line by line.

text = pods.log("web-0", tail_lines=10)
with pods.log_stream("web-0") as lines:     # follows the log until stop()
    for line in lines:
        print(line)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..rest.request import Request
from ..rest.stream import LineStream
from .client import ResourceClient

__all__ = ["HasLog", "LogStream"]


class LogStream(LineStream):
    """Lines of a streaming pod log; iterate for ``str`` lines; ``stop()`` from any thread."""

    _stream = "log stream"
    _idle = "log output"

    def __iter__(self) -> Iterator[str]:
        for line in self.lines():
            yield line.decode("utf-8", errors="replace")


class HasLog(ResourceClient):
    """The ``log`` subresource of pods."""

    __slots__ = ()

    def _log_request(
        self,
        name: str,
        container: str | None,
        follow: bool,
        previous: bool,
        since_seconds: int | None,
        since_time: str | None,
        tail_lines: int | None,
        timestamps: bool,
        limit_bytes: int | None,
        insecure_skip_tls_verify_backend: bool,
        timeout: float | None,
    ) -> Request:
        req = self.request("GET", name, "log").accept("text/plain, */*").timeout(timeout)
        return req.params(
            container=container,
            follow=follow or None,
            previous=previous or None,
            sinceSeconds=since_seconds,
            sinceTime=since_time,
            tailLines=tail_lines,
            timestamps=timestamps or None,
            limitBytes=limit_bytes,
            insecureSkipTLSVerifyBackend=insecure_skip_tls_verify_backend or None,
        )

    def log(
        self,
        name: str,
        *,
        container: str | None = None,
        previous: bool = False,
        since_seconds: int | None = None,
        since_time: str | None = None,
        tail_lines: int | None = None,
        timestamps: bool = False,
        limit_bytes: int | None = None,
        insecure_skip_tls_verify_backend: bool = False,
        timeout: float | None = None,
    ) -> str:
        """The pod's log so far, as text."""
        req = self._log_request(
            name,
            container,
            False,
            previous,
            since_seconds,
            since_time,
            tail_lines,
            timestamps,
            limit_bytes,
            insecure_skip_tls_verify_backend,
            timeout,
        )
        return req.do().text()

    def log_stream(
        self,
        name: str,
        *,
        container: str | None = None,
        follow: bool = True,
        previous: bool = False,
        since_seconds: int | None = None,
        since_time: str | None = None,
        tail_lines: int | None = None,
        timestamps: bool = False,
        limit_bytes: int | None = None,
        insecure_skip_tls_verify_backend: bool = False,
        timeout: float | None = None,
    ) -> LogStream:
        """The pod's log line by line as it is written (``follow``); stop() or ``with`` to end."""
        req = self._log_request(
            name,
            container,
            follow,
            previous,
            since_seconds,
            since_time,
            tail_lines,
            timestamps,
            limit_bytes,
            insecure_skip_tls_verify_backend,
            timeout,
        )
        if follow:
            req.read_timeout(None)
        return LogStream(req.stream(), f"GET {req.path()}")
