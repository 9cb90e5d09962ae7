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
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import requests
from pydantic import BaseModel, ValidationError, create_model

from .errors import (
    ApiConnectionError,
    DecodeError,
    KubesetError,
    RequestTimeout,
    api_error_from_status,
)
from .rest import abort_response

if TYPE_CHECKING:
    from typing import Self

__all__ = ["EventType", "Watch", "WatchEvent"]

T = TypeVar("T", bound=BaseModel)

EventType = Literal["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]

_CHUNK = 64 * 1024
_envelopes: dict[type[BaseModel], type[BaseModel]] = {}
_envelopes_lock = threading.Lock()


def _envelope(model: type[BaseModel]) -> type[BaseModel]:
    """A pydantic model ``{"type": str, "object": model}`` so one Rust pass decodes an event."""
    env = _envelopes.get(model)
    if env is None:
        with _envelopes_lock:
            env = _envelopes.get(model)
            if env is None:
                env = create_model(
                    f"WatchEvent_{model.__name__}",
                    type=(str, ...),
                    object=(model, ...),
                )
                _envelopes[model] = env
    return env


@dataclass(slots=True)
class WatchEvent(Generic[T]):
    """One watch event: ``type`` and the decoded ``object``."""

    type: EventType
    object: T


class Watch(Generic[T]):
    """An open watch stream; iterate for :class:`WatchEvent` s. Usually built by a typed client."""

    def __init__(self, response: requests.Response, model: type[T], *, what: str = "watch") -> None:
        self._response = response
        self._model = model
        self._envelope = _envelope(model)
        self._what = what
        self._stopped = False
        self._iterator: weakref.ref[Iterator[WatchEvent[T]]] | None = None
        self._next_iterator: Iterator[WatchEvent[T]] | None = None
        self.resource_version: str | None = None
        """The resourceVersion of the last event or bookmark seen (resume a watch from here)."""

    # -- lifecycle ----------------------------------------------------------------------
    @property
    def stopped(self) -> bool:
        return self._stopped

    def stop(self) -> None:
        """End the watch; safe from another thread (wakes a blocked read and closes the connection)."""
        if self._stopped:
            return
        self._stopped = True
        abort_response(self._response)

    close = stop

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

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
        buf = b""
        try:
            for chunk in self._response.iter_content(chunk_size=_CHUNK):
                if buf:
                    chunk = buf + chunk
                lines = chunk.split(b"\n")
                buf = lines.pop()
                for line in lines:
                    if line and not line.isspace():
                        yield self._decode(line)
                    if self._stopped:
                        return
            if buf.strip() and not self._stopped:
                yield self._decode(buf)
        except KubesetError:
            raise
        except (requests.RequestException, OSError, AttributeError, ValueError) as e:
            # AttributeError/ValueError: urllib3 reading from a response closed by stop()
            if self._stopped:
                return
            if isinstance(e, (requests.Timeout, requests.ConnectionError)) and "timed out" in str(
                e
            ):
                raise RequestTimeout(
                    f"{self._what}: no event or bookmark within the read timeout"
                ) from None
            if isinstance(e, ValueError) and not isinstance(e, requests.RequestException):
                raise
            raise ApiConnectionError(
                f"{self._what}: the watch stream broke: {type(e).__name__}"
            ) from None
        finally:
            self._stopped = True
            self._response.close()

    def _decode(self, line: bytes) -> WatchEvent[T]:
        try:
            env: Any = self._envelope.model_validate_json(line)
        except ValidationError:
            return self._decode_slow(line)
        etype = env.type
        if etype == "ERROR":
            return self._decode_slow(line)
        obj = env.object
        meta = getattr(obj, "metadata", None)
        rv = getattr(meta, "resource_version", None) if meta is not None else None
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
        if not isinstance(data, dict) or "type" not in data:
            raise ApiConnectionError(f"{self._what}: a watch event without 'type'")
        obj = data.get("object")
        if data["type"] == "ERROR":
            status = obj if isinstance(obj, dict) else {"message": str(obj)}
            raise api_error_from_status(status, method="WATCH", path=self._what.split(" ", 1)[-1])
        try:
            decoded = self._model.model_validate(obj)
        except ValidationError as e:
            first = e.errors()[0]
            loc = ".".join(str(p) for p in first.get("loc", ()))
            raise DecodeError(
                f"{self._what}: a {data['type']} event does not decode into {self._model.__name__}"
                f" at {loc or '(top)'}: {first.get('msg', '')}"
            ) from None
        return WatchEvent(data["type"], decoded)

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "open"
        return f"<Watch {self._what} {state} rv={self.resource_version}>"
