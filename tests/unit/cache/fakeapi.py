"""An in-memory list/watch server for the cache unit tests (the e2e tests use the real one).

Objects are plain dicts.  ``compact()`` forgets history (a watch or list from an older
resourceVersion gets 410 Expired), ``break_watches()`` cuts every open stream (ApiConnectionError
in the reader), ``fail_next_watch`` / ``fail_next_list`` inject an error, and ``watch_list``
switches streaming lists (sendInitialEvents) on or off.  Every call is recorded in ``calls``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kubeset.errors import ApiConnectionError, Expired, Invalid


@dataclass
class FakeEvent:
    type: str
    object: Any


@dataclass
class Call:
    verb: str
    params: dict[str, Any] = field(default_factory=dict)


class FakeWatch:
    def __init__(self, api: FakeAPI, since: int, initial: list[FakeEvent]) -> None:
        self.api = api
        self.pos = since
        self.initial = initial
        self.stopped = False
        self.broken = False

    def stop(self) -> None:
        with self.api.cond:
            self.stopped = True
            self.api.cond.notify_all()

    def __iter__(self) -> Iterator[FakeEvent]:
        yield from self.initial
        while True:
            with self.api.cond:
                while not self.stopped and not self.broken and not self.api.pending(self.pos):
                    self.api.cond.wait(0.5)
                if self.stopped:
                    return
                if self.broken:
                    raise ApiConnectionError("fake watch: the watch stream broke")
                rv, etype, obj = self.api.next_event(self.pos)
                self.pos = rv
            yield FakeEvent(etype, obj)


def pod(name: str, namespace: str = "default", **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": namespace, "labels": dict(labels)}}


class FakeAPI:
    """list + watch over an event log, paginating by ``limit``."""

    def __init__(self, *, watch_list: bool = True) -> None:
        self.cond = threading.Condition()
        self.rv = 100
        self.objects: dict[str, dict[str, Any]] = {}
        self.log: list[tuple[int, str, dict[str, Any]]] = []
        self.compacted = 0
        self.watch_list = watch_list
        self.calls: list[Call] = []
        self.watches: list[FakeWatch] = []
        self.fail_next_watch: list[Exception] = []
        self.fail_next_list: list[Exception] = []

    # -- server-side changes ------------------------------------------------------------------
    def _write(self, etype: str, obj: dict[str, Any]) -> dict[str, Any]:
        with self.cond:
            self.rv += 1
            obj = {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(self.rv)}}
            key = f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"
            if etype == "DELETED":
                self.objects.pop(key, None)
            else:
                self.objects[key] = obj
            self.log.append((self.rv, etype, obj))
            self.cond.notify_all()
            return obj

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        return self._write("ADDED", obj)

    def update(self, obj: dict[str, Any]) -> dict[str, Any]:
        return self._write("MODIFIED", obj)

    def delete(self, obj: dict[str, Any]) -> dict[str, Any]:
        return self._write("DELETED", obj)

    def compact(self) -> None:
        with self.cond:
            self.compacted = self.rv
            self.log.clear()

    def break_watches(self) -> None:
        with self.cond:
            for w in self.watches:
                w.broken = True
            self.cond.notify_all()

    def bookmark(self) -> None:
        with self.cond:
            self.rv += 1
            self.log.append((self.rv, "BOOKMARK", {"metadata": {"resourceVersion": str(self.rv)}}))
            self.cond.notify_all()

    # -- watch helpers (cond held) ------------------------------------------------------------
    def pending(self, pos: int) -> bool:
        return any(rv > pos for rv, _, _ in self.log)

    def next_event(self, pos: int) -> tuple[int, str, dict[str, Any]]:
        return next(e for e in self.log if e[0] > pos)

    # -- the ListerWatcher --------------------------------------------------------------------
    def list(self, **params: Any) -> dict[str, Any]:
        with self.cond:
            self.calls.append(Call("list", params))
            if self.fail_next_list:
                raise self.fail_next_list.pop(0)
            rv = params.get("resource_version")
            if rv not in (None, "", "0") and int(rv) < self.compacted:
                raise Expired(410, "Expired", "too old resource version")
            items = sorted(self.objects.values(), key=lambda o: o["metadata"]["name"])
            start = int(params.get("continue_") or 0)
            limit = params.get("limit")
            page = items[start : start + limit] if limit else items[start:]
            nxt = start + len(page) if limit and start + len(page) < len(items) else None
            meta: dict[str, Any] = {"resourceVersion": str(self.rv)}
            if nxt is not None:
                meta["continue"] = str(nxt)
            return {"metadata": meta, "items": page}

    def watch(self, **params: Any) -> FakeWatch:
        with self.cond:
            self.calls.append(Call("watch", params))
            if self.fail_next_watch:
                raise self.fail_next_watch.pop(0)
            rv = params.get("resource_version") or ""
            initial: list[FakeEvent] = []
            if params.get("send_initial_events"):
                if not self.watch_list:
                    raise Invalid(422, "Invalid", "sendInitialEvents is not supported")
                if rv and int(rv) < self.compacted:
                    raise Expired(410, "Expired", "too old resource version")
                initial = [FakeEvent("ADDED", o) for o in self.objects.values()]
                initial.append(
                    FakeEvent(
                        "BOOKMARK",
                        {
                            "metadata": {
                                "resourceVersion": str(self.rv),
                                "annotations": {"k8s.io/initial-events-end": "true"},
                            }
                        },
                    )
                )
                since = self.rv
            else:
                since = int(rv) if rv not in ("", "0") else self.rv
                if since < self.compacted:
                    raise Expired(410, "Expired", "too old resource version")
            w = FakeWatch(self, since, initial)
            self.watches.append(w)
            return w
