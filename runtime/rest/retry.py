"""The retry policy of the RESTClient: which failed attempts are sent again, and after how long.

    policy = RetryPolicy(max_retries=5)
    delay = policy.after_response("GET", attempt=0, status_code=503, retry_after=None)
    if delay is not None:
        ...  # wait ``delay`` seconds, then send again

Like client-go's ``rest/with_retry.go``: a plain object that decides, without I/O or sleeping
(the RESTClient waits).  A GET (list, get, watch establishment) is retried with exponential
backoff and jitter on 429, 502, 503 and 504, on any 5xx carrying ``Retry-After``, and when its
connection was lost before an answer; other verbs only on 429 with ``Retry-After`` (the server
rejected them before doing anything).  ``Retry-After`` is honoured up to ``max_retry_after``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["RetryPolicy", "parse_retry_after"]

_SAFE_METHODS = frozenset({"GET", "HEAD"})
_SAFE_RETRY_CODES = frozenset({429, 502, 503, 504})


_MAX_RETRY_AFTER_TEXT = 32  # characters; a longer header value is not a number of seconds


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds of a ``Retry-After`` header in seconds form, read defensively.

    An HTTP date, text, ``nan`` or a negative number counts as absent; ``inf`` and huge values
    are kept as given (the policy caps them at ``max_retry_after``, the call's deadline ends
    the wait before that)."""
    value = headers.get("Retry-After")
    if not value or len(value) > _MAX_RETRY_AFTER_TEXT:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if math.isnan(seconds) or seconds < 0:
        return None
    return seconds


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and after how long a failed attempt is sent again (see the module docstring)."""

    max_retries: int = 5
    backoff_base: float = 0.25  # seconds before the first retry (before jitter)
    backoff_max: float = 8.0
    max_retry_after: float = 60.0  # cap on a server's Retry-After
    jitter: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff for ``attempt`` (0-based), with jitter in [50%, 100%]."""
        delay: float = min(self.backoff_max, self.backoff_base * (2**attempt))
        return delay * (0.5 + self.jitter() / 2)

    def after_response(
        self, method: str, attempt: int, status_code: int, retry_after: float | None
    ) -> float | None:
        """The delay before sending again after an answer with ``status_code``, or None."""
        if status_code < 400 or attempt >= self.max_retries:
            return None
        if method in _SAFE_METHODS:
            retry = status_code in _SAFE_RETRY_CODES or (
                status_code >= 500 and retry_after is not None
            )
        else:
            retry = status_code == 429 and retry_after is not None
        if not retry:
            return None
        if retry_after is not None:
            return max(0.0, min(retry_after, self.max_retry_after))
        return self.backoff(attempt)

    def after_connection_lost(self, method: str, attempt: int) -> float | None:
        """The delay before sending again after the connection broke before an answer, or None."""
        if method not in _SAFE_METHODS or attempt >= self.max_retries:
            return None
        return self.backoff(attempt)
