"""Watch: a typed stream of ADDED / MODIFIED / DELETED / BOOKMARK events.

    with pods.watch(resource_version=rv) as w:
        for event in w:                       # WatchEvent[Pod]
            print(event.type, event.object.metadata.name)
    rv = w.resource_version                   # resume point (updated by every event and bookmark)

An ERROR event raises the ApiError subclass of its Status; 410 ("too old resource version")
raises :class:`~kubeset.errors.Expired` (a :class:`~kubeset.errors.Gone`): start again from a
fresh list.  :meth:`Watch.stop` may be called from another thread; leaving the ``with`` block,
breaking out of the loop or closing the iterator releases the connection.
"""

from __future__ import annotations

import contextlib
import json
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError, create_model

from ..codec import decode_json
from ..errors import (
    ApiConnectionError,
    DecodeError,
    api_error_from_status,
)
from ..model import KubeModel
from ..transport.base import Response
from .meta import meta_value
from .stream import DEFAULT_MAX_LINE, LineStream

__all__ = ["WATCH_IDLE_TIMEOUT", "EventType", "Watch", "WatchDecoder", "WatchEvent", "WatchState"]

WATCH_IDLE_TIMEOUT = 120.0
"""Seconds a watch that asked for bookmarks may receive nothing before its connection is
presumed dead.  kube-apiserver's watch cache sends each such watcher a bookmark about every
minute (``defaultBookmarkFrequency`` in k8s.io/apiserver's cacher), so two missed bookmarks
mean the connection is gone (a proxy that stopped forwarding, a peer that vanished without a
FIN).  ``RESTClient(watch_idle_timeout=...)`` changes it; ``Request.read_timeout`` sets one
watch's limit."""

T = TypeVar("T", bound=BaseModel)

EventType = Literal["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]

_envelopes: dict[type[BaseModel], type[BaseModel]] = {}
_envelopes_lock = threading.Lock()


def _envelope(model: type[BaseModel]) -> type[BaseModel]:
    """A model ``{"type": str, "object": model}`` so that one pass decodes an event (through the
    compiled decoder when there is one: it is a plain KubeModel); an event lacking either goes
    the slow way, which reports it."""
    env = _envelopes.get(model)
    if env is None:
        with _envelopes_lock:
            env = _envelopes.get(model)
            if env is None:
                env = create_model(
                    f"WatchEvent_{model.__name__}",
                    __base__=KubeModel,
                    type=(str | None, None),
                    object=(model | None, None),  # type: ignore[arg-type]
                )
                _envelopes[model] = env
    return env


@dataclass(slots=True)
class WatchEvent(Generic[T]):
    """One watch event: ``type`` and the decoded ``object``."""

    type: EventType
    object: T


class WatchDecoder(Generic[T]):
    """Watch lines -> :class:`WatchEvent` s, without I/O (the sync and the asyncio watch share
    it): one pass through the compiled decoder when it can, the slow way when an event is
    odd; an ERROR event raises its ApiError; ``resource_version`` follows every event."""

    __slots__ = ("_envelope", "_model", "_what", "resource_version")

    def __init__(self, model: type[T], what: str) -> None:
        self._model = model
        self._envelope = _envelope(model)
        self._what = what
        self.resource_version: str | None = None
        """The resourceVersion of the last event or bookmark seen (resume a watch from here)."""

    def decode(self, line: bytes) -> WatchEvent[T] | None:
        """The event of one line (None for a blank line)."""
        if not line or line.isspace():
            return None
        return self._decode(line)

    def _decode(self, line: bytes) -> WatchEvent[T]:
        try:
            env: Any = decode_json(self._envelope, line)
        except ValidationError:
            return self._decode_slow(line)
        etype, obj = env.type, env.object
        if etype == "ERROR" or etype is None or obj is None:
            return self._decode_slow(line)
        rv = meta_value(obj, "resource_version")
        if rv:
            self.resource_version = rv
        return WatchEvent(etype, obj)

    def _decode_slow(self, line: bytes) -> WatchEvent[T]:
        try:
            data = json.loads(line)
        except ValueError:
            excerpt = line[:120].decode("utf-8", errors="replace")
            raise ApiConnectionError(
                f"{self._what}: the watch stream sent a line that is not JSON: {excerpt!r}"
            ) from None
        except RecursionError:
            raise DecodeError(
                f"{self._what}: the watch stream sent an event nested too deep to decode"
            ) from None
        if not isinstance(data, dict) or "type" not in data:
            raise ApiConnectionError(f"{self._what}: a watch event without 'type'")
        obj = data.get("object")
        if data["type"] == "ERROR":
            status = obj if isinstance(obj, dict) else {"message": str(obj)}
            raise api_error_from_status(status, method="WATCH", path=self._what.split(" ", 1)[-1])
        try:
            decoded = self._model.model_validate(obj)
        except ValidationError as e:
            raise DecodeError.from_validation(
                f"{self._what}: a {data['type']} event does not decode into {self._model.__name__}",
                e,
            ) from None
        return WatchEvent(data["type"], decoded)


class WatchState(Generic[T]):
    """What a watch is beside its stream, for the sync and the asyncio one: its meaning in
    messages, that silence means a dead connection, its decoder and resume point."""

    _stream = "watch stream"
    _idle = "event or bookmark"
    _silence_is_death = True
    _what: str
    _stopped: bool
    decoder: WatchDecoder[T]

    @property
    def resource_version(self) -> str | None:
        """The resourceVersion of the last event or bookmark seen (resume a watch from here)."""
        return self.decoder.resource_version

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "open"
        return f"<{type(self).__name__} {self._what} {state} rv={self.resource_version}>"


class Watch(WatchState[T], LineStream):
    """An open watch stream; iterate for :class:`WatchEvent` s. Usually built by a typed client."""

    def __init__(
        self,
        response: Response,
        model: type[T],
        *,
        what: str = "watch",
        max_line: int = DEFAULT_MAX_LINE,
    ) -> None:
        super().__init__(response, what, max_line=max_line)
        self.decoder = WatchDecoder(model, what)
        self._iterator: weakref.ref[Iterator[WatchEvent[T]]] | None = None
        self._next_iterator: Iterator[WatchEvent[T]] | None = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown: modules may be gone
            if not self._stopped:
                self._response.close()

    # -- iteration ----------------------------------------------------------------------
    def __iter__(self) -> Iterator[WatchEvent[T]]:
        """The events.  Only a weak reference is kept: when the loop is left early (``break``)
        the iterator is finalized and the watch stopped, releasing the connection."""
        it = self._iterator() if self._iterator is not None else None
        if it is None:
            it = self._events()
            self._iterator = weakref.ref(it)
        return it

    def __next__(self) -> WatchEvent[T]:
        if self._next_iterator is None:
            self._next_iterator = iter(self)
        return next(self._next_iterator)

    def _events(self) -> Iterator[WatchEvent[T]]:
        decode = self.decoder.decode
        for line in self.lines():
            event = decode(line)
            if event is not None:
                yield event
