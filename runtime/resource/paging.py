"""Paginated lists: which page to ask for next and how pages join, without I/O.

    pager = Pager(client.list_request, page_size=500, options={"label_selector": "app=web"},
                  plural="pods")
    for page in pages(pager, model):          # sync; ``async for page in apages(pager, model)``
        ...
    everything = join_pages(pages(pager, model))

:class:`Pager` decides (the first page with the caller's resourceVersion options, later ones
continuing the first one's snapshot with its token; a token that expired between pages is an
:class:`~kubeset.errors.Expired` that says the list must start again); :func:`pages` and
:func:`apages` only send, each in its own way.  ``HasList.iter_pages`` / ``list_all`` of the
sync and the asyncio clients are these.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from typing import Any, TypedDict

from pydantic import BaseModel

from ..errors import Expired
from ..rest.aio import AsyncRequest
from ..rest.meta import clear_meta_values, meta_value
from ..rest.request import Request

__all__ = [
    "ListOptions",
    "Pager",
    "ajoin_pages",
    "apages",
    "join_pages",
    "list_params",
    "pages",
]


class ListOptions(TypedDict, total=False):
    """What every list request may narrow or pin (client-go's ListOptions, less paging)."""

    label_selector: str | None  # "app=web,tier!=db", "env in (a,b)"
    field_selector: str | None  # "metadata.name=x", "spec.nodeName=n1"
    resource_version: str | None  # "0": any cached state; unset: the latest
    resource_version_match: str | None  # "NotOlderThan" or "Exact"
    timeout: float | None  # client-side seconds


class Pager:
    """The requests of one paginated list and what each answer means (no I/O)."""

    __slots__ = (
        "_later",
        "_make",
        "_options",
        "more",
        "page_size",
        "pages_seen",
        "plural",
        "token",
    )

    def __init__(
        self,
        make: Callable[[ListOptions], Any],
        *,
        page_size: int,
        options: ListOptions,
        plural: str,
    ) -> None:
        if page_size <= 0:
            raise ValueError("page_size must be positive")
        self._make = make
        self.page_size = page_size
        self.plural = plural
        self._options = options
        # later pages continue the first one's snapshot: the token carries its resourceVersion
        self._later: ListOptions = {
            **options,
            "resource_version": None,
            "resource_version_match": None,
        }
        self.token: str | None = None
        self.pages_seen = 0
        self.more = True  # another page is to be asked for

    def next_request(self) -> Any:
        """The next page's request (of the client's request type)."""
        req = self._make(self._options if self.token is None else self._later)
        return req.params({"limit": self.page_size, "continue": self.token})

    def took(self, page: Any) -> Any:
        """A page arrived (returned as it is); :attr:`more` says whether another follows."""
        self.pages_seen += 1
        self.token = meta_value(page, "continue_") or None
        self.more = self.token is not None
        return page

    @contextlib.contextmanager
    def expiry(self) -> Iterator[None]:
        """Around a page's request: a 410 raises what :meth:`expired` says it means."""
        try:
            yield
        except Expired as e:
            error = self.expired(e)
            if error is e:
                raise
            raise error from e

    def expired(self, error: Expired) -> Expired:
        """What a 410 means: on the first page the server's own answer; on a later one, that
        the continue token expired and the listing must start again."""
        if self.token is None:
            return error
        return Expired(
            error.status_code,
            error.reason,
            f"listing {self.plural}: the continue token expired after {self.pages_seen} page(s)"
            f" ({error.message}); the list must be started again from the beginning",
            details=error.details,
            status=error.status,
            method=error.method,
            path=error.path,
        )


def pages(pager: Pager, model: type[BaseModel]) -> Iterator[Any]:
    """The pages, sent with a sync client."""
    while pager.more:
        req: Request = pager.next_request()
        with pager.expiry():
            page = req.into(model)
        yield pager.took(page)


async def apages(pager: Pager, model: type[BaseModel]) -> AsyncIterator[Any]:
    """The pages, sent with an asyncio client."""
    while pager.more:
        req: AsyncRequest = pager.next_request()
        with pager.expiry():
            page = await req.into(model)
        yield pager.took(page)


class _Joined:
    """Pages joined into the first one (its items list grows; continue fields cleared)."""

    __slots__ = ("first",)

    def __init__(self) -> None:
        self.first: Any = None

    def add(self, page: Any) -> None:
        if self.first is None:
            self.first = page
            if getattr(page, "items", None) is None:
                page.items = []
        else:
            self.first.items.extend(getattr(page, "items", None) or ())

    def result(self) -> Any:
        clear_meta_values(self.first, "continue_", "remaining_item_count")
        return self.first


def join_pages(all_pages: Iterable[Any]) -> Any:
    """Every page's items in one list model (the first page's)."""
    joined = _Joined()
    for page in all_pages:
        joined.add(page)
    return joined.result()


async def ajoin_pages(all_pages: AsyncIterator[Any]) -> Any:
    """:func:`join_pages` for pages that arrive asynchronously."""
    joined = _Joined()
    async for page in all_pages:
        joined.add(page)
    return joined.result()


def list_params(req: Any, options: Mapping[str, Any]) -> Any:
    """``req`` narrowed by :class:`ListOptions` (selectors, resourceVersion, the deadline)."""
    return req.params(
        labelSelector=options.get("label_selector"),
        fieldSelector=options.get("field_selector"),
        resourceVersion=options.get("resource_version"),
        resourceVersionMatch=options.get("resource_version_match"),
    ).timeout(options.get("timeout"))
