"""Pod logs: the ``log`` subresource, whole or followed line by line.

text = pods.log("web-0", tail_lines=10)
with pods.log_stream("web-0") as lines:     # follows the log until stop()
    for line in lines:
        print(line)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypedDict, Unpack

from ..rest.request import Request
from ..rest.stream import LineStream
from .client import ResourceClient

__all__ = ["HasLog", "LogOptions", "LogStream"]


class LogStream(LineStream):
    """Lines of a streaming pod log; iterate for ``str`` lines; ``stop()`` from any thread."""

    _stream = "log stream"
    _idle = "log output"

    def __iter__(self) -> Iterator[str]:
        for line in self.lines():
            yield line.decode("utf-8", errors="replace")


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


class HasLog(ResourceClient):
    """The ``log`` subresource of pods."""

    __slots__ = ()

    def _log_request(self, name: str, follow: bool, options: LogOptions) -> Request:
        req = self.request("GET", name, "log").accept("text/plain, */*")
        return req.timeout(options.get("timeout")).params(
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

    def log(self, name: str, **options: Unpack[LogOptions]) -> str:
        """The pod's log so far, as text."""
        return self._log_request(name, False, options).do().text()

    def log_stream(
        self, name: str, *, follow: bool = True, **options: Unpack[LogOptions]
    ) -> LogStream:
        """The pod's log line by line as it is written (``follow``); stop() or ``with`` to end."""
        req = self._log_request(name, follow, options)
        if follow:
            req.read_timeout(None)
        return LogStream(req.stream(), f"GET {req.path()}")
