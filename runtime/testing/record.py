"""The fake cluster's request record: every call as plain data, and assertions over the writes.

    fake.calls[-1]                                  # Call(method, path, query, body, status)
    fake.assert_no_writes()                         # a dry run, a reconcile with nothing to do
    start = len(fake.calls)
    reconcile(cs)
    fake.assert_writes(                             # exactly these writes, in this order
        Write("PATCH", "/api/v1/namespaces/default/configmaps/web", body={"data": {"k": "v"}}),
        Write("DELETE", "/apis/apps/v1/namespaces/default/deployments/old", status=200),
        since=start,
    )

A :class:`Call` is what a test wants to see of a request: method, path, the query as a dict
(a repeated parameter keeps its last value; ``request`` has them all), the body decoded
(JSON or YAML, None without one) and the answer's status code (None when the client gave up
first, e.g. a slow answer past its timeout).  A :class:`Write` is an expected write: fields left
None match anything, ``body`` matches when every key it gives has that value (nested maps
compared the same way, lists and other values exactly).  No I/O here;
:class:`~kubeset.testing.transport.FakeTransport` appends the calls.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import KubesetError
from ..transport.base import HTTPRequest

__all__ = ["WRITE_METHODS", "Call", "UnexpectedWrites", "Write", "check_no_writes", "check_writes"]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class UnexpectedWrites(KubesetError, AssertionError):
    """The writes recorded are not the ones a test expected (an AssertionError for pytest)."""


@dataclass(frozen=True, slots=True)
class Call:
    """One request the fake answered."""

    method: str
    path: str
    query: Mapping[str, str]
    body: Any
    status: int | None
    request: HTTPRequest

    @property
    def is_write(self) -> bool:
        """Whether it could change the cluster (POST, PUT, PATCH, DELETE; dry runs included)."""
        return self.method in WRITE_METHODS

    def describe(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query.items())
        body = "" if self.body is None else " " + json.dumps(self.body, sort_keys=True)[:200]
        return f"{self.method} {self.path}{'?' + query if query else ''} -> {self.status}{body}"


@dataclass(frozen=True, slots=True)
class Write:
    """An expected write; None matches anything."""

    method: str
    path: str
    query: Mapping[str, str] | None = None  # these parameters with these values (others allowed)
    body: Any = None  # a subset of the body (see the module docstring)
    status: int | None = None

    def matches(self, call: Call) -> bool:
        return (
            self.method.upper() == call.method
            and self.path.rstrip("/") == call.path
            and (self.query is None or all(call.query.get(k) == v for k, v in self.query.items()))
            and (self.body is None or _contains(call.body, self.body))
            and (self.status is None or self.status == call.status)
        )


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            k in actual and _contains(actual[k], v) for k, v in expected.items()
        )
    return bool(actual == expected)


def _listing(calls: Sequence[Call]) -> str:
    return "\n".join(f"  {c.describe()}" for c in calls) or "  (none)"


def check_no_writes(calls: Sequence[Call]) -> None:
    """Raise :class:`UnexpectedWrites` listing them if any call is a write."""
    writes = [c for c in calls if c.is_write]
    if writes:
        raise UnexpectedWrites(f"expected no writes, got {len(writes)}:\n{_listing(writes)}")


def check_writes(calls: Sequence[Call], expected: Sequence[Write]) -> None:
    """Raise :class:`UnexpectedWrites` unless the writes among ``calls`` are ``expected``, one
    for one and in order (reads in between are ignored)."""
    writes = [c for c in calls if c.is_write]
    if len(writes) == len(expected) and all(
        w.matches(c) for w, c in zip(expected, writes, strict=True)
    ):
        return
    wanted = "\n".join(
        f"  {w.method} {w.path}"
        + (f" query {dict(w.query)}" if w.query is not None else "")
        + (f" body {json.dumps(w.body, sort_keys=True)}" if w.body is not None else "")
        + (f" -> {w.status}" if w.status is not None else "")
        for w in expected
    )
    raise UnexpectedWrites(
        f"expected {len(expected)} writes:\n{wanted or '  (none)'}\n"
        f"got {len(writes)}:\n{_listing(writes)}"
    )
