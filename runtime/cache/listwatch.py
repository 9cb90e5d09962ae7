"""What a reflector needs from a client: client-go's ``ListerWatcher``, as a Protocol.

    lw: ListerWatcher[Pod] = cs.core_v1.pods("default")     # any typed client with list + watch
    page = lw.list(limit=500, resource_version="0")
    with lw.watch(resource_version=page.metadata.resource_version) as w:
        for event in w: ...

Every generated typed client (``kubeset.kubernetes.Clientset``) satisfies it, as will any other
client with the same keyword arguments (the dynamic client).  The list result is read
duck-typed: ``items`` and ``metadata.resource_version`` / ``metadata.continue_`` (or the
``dict`` form ``metadata.resourceVersion`` / ``metadata.continue``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol, TypeVar

from ..rest.meta import meta_value

__all__ = ["Event", "ListerWatcher", "WatchStream", "Watcher", "list_meta"]

T_co = TypeVar("T_co", covariant=True)


class Event(Protocol[T_co]):
    """A watch event (:class:`kubeset.WatchEvent`): ADDED, MODIFIED, DELETED or BOOKMARK."""

    @property
    def type(self) -> str: ...

    @property
    def object(self) -> T_co: ...


class WatchStream(Protocol[T_co]):
    """An open watch: iterate for events, ``stop()`` from any thread."""

    def __iter__(self) -> Iterator[Event[T_co]]: ...

    def stop(self) -> None: ...


class Watcher(Protocol[T_co]):
    """Open a ``watch`` with the query parameters of the API server (what a RetryWatcher needs)."""

    def watch(
        self,
        *,
        resource_version: str | None = ...,
        label_selector: str | None = ...,
        field_selector: str | None = ...,
        timeout_seconds: int | None = ...,
        allow_watch_bookmarks: bool = ...,
        send_initial_events: bool | None = ...,
        resource_version_match: str | None = ...,
    ) -> WatchStream[T_co]: ...


class ListerWatcher(Watcher[T_co], Protocol[T_co]):
    """``list`` one page and open a ``watch``, with the query parameters of the API server."""

    def list(
        self,
        *,
        label_selector: str | None = ...,
        field_selector: str | None = ...,
        limit: int | None = ...,
        continue_: str | None = ...,
        resource_version: str | None = ...,
        resource_version_match: str | None = ...,
        timeout_seconds: int | None = ...,
    ) -> Any: ...


def list_meta(result: Any) -> tuple[list[Any], str, str]:
    """(items, resourceVersion, continue token) of a list result (model or dict)."""
    items = result.get("items") if isinstance(result, Mapping) else getattr(result, "items", None)
    return (
        list(items or ()),
        meta_value(result, "resource_version") or "",
        meta_value(result, "continue_") or "",
    )
