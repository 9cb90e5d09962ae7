"""Fault rules of the fake cluster: what the next matching requests get instead of a plain answer.

    rules = FaultRules()
    rules.add(Fault(verb="get", resource="configmaps", status=429, retry_after=2))
    effect = rules.take(verb="get", resource="configmaps", namespace="default", continued=False)
    effect.failure, effect.delay, effect.watch           # what the transport does (no I/O here)

A :class:`Fault` is plain data: a scope (verb, resource, namespace; ``"*"`` matches any), how
many matching requests it touches (``times``; None: until removed) and what it does to them: a
``Status`` failure (with ``Retry-After``), a delay before the answer, or a misbehaving watch
(ends after N events or after a delay, or stays silent).  Every rule counts the requests it
matches on its own, so a delay for everything and a failure of the next get both apply.
:class:`~kubeset.testing.transport.FakeTransport` holds the rules and carries the effects out;
its ``fail_next``, ``throttle_next``, ``slow_next``, ``drop_next_watch``, ``silence_next_watch``
and ``expire_next`` build them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TypeVar

__all__ = ["Effect", "Fault", "FaultRules", "WatchShape"]

N = TypeVar("N", int, float)


@dataclass(frozen=True, slots=True)
class WatchShape:
    """How one watch misbehaves (the defaults: not at all)."""

    drop_after_events: int | None = None  # the stream ends after this many events (no bookmarks)
    drop_after_seconds: float | None = None  # the stream ends this long after it started
    silent: bool = False  # nothing is sent (no events, no bookmarks) until the client gives up

    def merged(self, other: WatchShape) -> WatchShape:
        """Both shapes at once (the earlier drop wins)."""
        return WatchShape(
            _earliest(self.drop_after_events, other.drop_after_events),
            _earliest(self.drop_after_seconds, other.drop_after_seconds),
            self.silent or other.silent,
        )


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault rule; ``times`` matching requests get it (None: every one until removed)."""

    verb: str = "*"  # get list watch create update patch apply delete deletecollection, or "*"
    resource: str = "*"  # plural, or "*"
    namespace: str = "*"  # "" for cluster-scoped requests, or "*"
    times: int | None = 1
    status: int = 0  # > 0: answer a Status failure with this code (on a watch a 410 is an event)
    reason: str = ""  # the Status reason ("": the code's usual one)
    message: str = "injected failure"
    retry_after: float | None = None  # the failure's Retry-After header, in seconds
    delay: float = 0.0  # wait this long before answering (a slow answer)
    watch: WatchShape | None = None  # a watch's misbehaviour
    continued_only: bool = False  # only lists carrying a continue token

    def __post_init__(self) -> None:
        if self.times is not None and self.times < 1:
            raise ValueError(f"Fault.times must be at least 1 (or None), not {self.times}")
        if self.delay < 0 or (self.retry_after is not None and self.retry_after < 0):
            raise ValueError("Fault.delay and Fault.retry_after cannot be negative")
        if self.status and not 400 <= self.status <= 599:
            raise ValueError(f"Fault.status must be an HTTP error code, not {self.status}")

    def matches(self, verb: str, resource: str, namespace: str, *, continued: bool) -> bool:
        return (
            self.verb in ("*", verb)
            and self.resource in ("*", resource)
            and self.namespace in ("*", namespace)
            and (continued or not self.continued_only)
        )


@dataclass(frozen=True, slots=True)
class Effect:
    """What the matching rules do to one request: all delays add up, the first failure answers."""

    delay: float = 0.0
    failure: Fault | None = None
    watch: WatchShape | None = None

    @property
    def none(self) -> bool:
        return not self.delay and self.failure is None and self.watch is None


@dataclass
class FaultRules:
    """The rules in the order they were added, each with the requests it has left to touch."""

    _rules: list[tuple[Fault, list[int | None]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._rules.append((fault, [fault.times]))
        return fault

    def remove(self, fault: Fault) -> None:
        with self._lock:
            self._rules = [(f, left) for f, left in self._rules if f is not fault]

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    @property
    def pending(self) -> list[Fault]:
        """The rules that still touch requests."""
        with self._lock:
            return [f for f, _ in self._rules]

    def take(self, *, verb: str, resource: str, namespace: str, continued: bool) -> Effect:
        """The effect on a request with this scope; each matching rule counts it."""
        delay, failure, watch = 0.0, None, None
        with self._lock:
            for fault, left in self._rules:
                if not fault.matches(verb, resource, namespace, continued=continued):
                    continue
                if left[0] is not None:
                    left[0] -= 1
                delay += fault.delay
                if fault.status and failure is None:
                    failure = fault
                if fault.watch is not None and verb == "watch":
                    watch = fault.watch if watch is None else watch.merged(fault.watch)
            self._rules = [(f, left) for f, left in self._rules if left[0] is None or left[0] > 0]
        return Effect(delay, failure, watch)


def _earliest(a: N | None, b: N | None) -> N | None:
    if a is None:
        return b
    return a if b is None else min(a, b)
