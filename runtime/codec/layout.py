"""The pydantic object layout the compiled codec relies on, and the check that it still holds.

``kubeset._codec`` builds and reads model instances without going through pydantic: it
allocates the instance and sets ``BaseModel``'s four slots itself, laid out sparsely
(kubeset.model.sparse: ``__dict__`` with the fields sent only, ``__pydantic_fields_set__``
``None`` until kubeset makes it, ``__pydantic_extra__`` a ``dict``, or ``None`` when there is no
unknown field, ``__pydantic_private__`` ``None``), and the encoder reads pydantic's own layout
as well (``__dict__`` with every declared field in declaration order, the fields set a ``set``
of the names sent, extras included); the three pydantic slots are member descriptors it reads
and writes at their offsets.  That layout is pydantic's internals, not its API: kubeset was
tested with the pydantic releases in :data:`TESTED_PYDANTIC`.  :func:`observe_layout` looks at what the
installed pydantic does with a small probe model, :func:`layout_problems` compares it with
:data:`EXPECTED_LAYOUT`; kubeset.codec.native uses pydantic alone (slower, same results) when
they differ.

Usage::

    from kubeset.codec.layout import layout_problems, observe_layout

    problems = layout_problems(observe_layout())  # [] with a tested pydantic
"""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass

import pydantic
import pydantic_core
from pydantic import BaseModel

from ..model.base import KubeModel, alias

__all__ = [
    "EXPECTED_LAYOUT",
    "TESTED_PYDANTIC",
    "PydanticLayout",
    "layout_problems",
    "observe_layout",
    "pydantic_versions",
]

#: the lowest and the newest pydantic release kubeset's tests run with (make test-pydantic-range)
TESTED_PYDANTIC = ("2.11.10", "2.14.4")


@dataclass(frozen=True)
class PydanticLayout:
    """What a pydantic release does with model instances, as far as the compiled codec cares."""

    #: ``BaseModel.__slots__``
    base_slots: tuple[str, ...]
    #: those of them that are object member descriptors (the encoder reads them at their offset)
    member_slots: tuple[str, ...]
    #: ``__slots__`` that a ``KubeModel`` subclass gains from pydantic's metaclass
    model_slots: tuple[str, ...]
    #: ``__dict__`` keys of a probe ``(first, second)`` validated from ``{"secondName": 1, ...}``
    dict_keys: tuple[str, ...]
    #: its ``__dict__`` values
    dict_values: tuple[object, ...]
    #: the type of ``__pydantic_fields_set__`` and what it holds (the extra's name included)
    fields_set_type: type
    fields_set: frozenset[str]
    #: the type of ``__pydantic_extra__`` with an unknown field, and with none
    extra_type: type
    empty_extra_type: type
    #: the type of ``__pydantic_private__`` of a model without private attributes
    private_type: type


EXPECTED_LAYOUT = PydanticLayout(
    base_slots=(
        "__dict__",
        "__pydantic_fields_set__",
        "__pydantic_extra__",
        "__pydantic_private__",
    ),
    member_slots=("__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"),
    model_slots=(),
    dict_keys=("first", "second"),
    dict_values=(None, 1),
    fields_set_type=set,
    fields_set=frozenset({"second", "unknown"}),
    extra_type=dict,
    empty_extra_type=dict,
    private_type=type(None),
)


def observe_layout() -> PydanticLayout:
    """The layout of the installed pydantic, seen on a two-field probe model."""

    class Probe(KubeModel):
        first: str | None = None
        second: int | None = alias("secondName")

    probe = Probe.model_validate_json(b'{"secondName":1,"unknown":2}')
    empty = Probe.model_validate_json(b"{}")
    base_slots = tuple(vars(BaseModel).get("__slots__", ()))
    return PydanticLayout(
        base_slots=base_slots,
        member_slots=tuple(
            s for s in base_slots if isinstance(vars(BaseModel).get(s), types.MemberDescriptorType)
        ),
        model_slots=tuple(
            s
            for c in Probe.__mro__[: Probe.__mro__.index(BaseModel)]
            for s in vars(c).get("__slots__", ())
        ),
        dict_keys=tuple(vars(probe)),
        dict_values=tuple(vars(probe).values()),
        fields_set_type=type(probe.__pydantic_fields_set__),
        fields_set=frozenset(probe.__pydantic_fields_set__),
        extra_type=type(probe.__pydantic_extra__),
        empty_extra_type=type(empty.__pydantic_extra__),
        private_type=type(probe.__pydantic_private__),
    )


def layout_problems(observed: PydanticLayout) -> list[str]:
    """How ``observed`` differs from :data:`EXPECTED_LAYOUT`, one line per field; [] when it does not."""
    problems = []
    for field in dataclasses.fields(PydanticLayout):
        got, expected = getattr(observed, field.name), getattr(EXPECTED_LAYOUT, field.name)
        if got != expected:
            problems.append(f"{field.name} is {_show(got)}, expected {_show(expected)}")
    return problems


def _show(value: object) -> str:
    return value.__name__ if isinstance(value, type) else repr(value)


def pydantic_versions() -> str:
    """``pydantic 2.x.y (pydantic-core 2.z)``: the installed releases, for messages."""
    return f"pydantic {pydantic.VERSION} (pydantic-core {pydantic_core.__version__})"
