"""kubeset.codec.native and .layout: pydantic takes over, with one warning, whenever the compiled
codec cannot be trusted (a pydantic whose object layout differs from the tested releases, a plan,
Decoder or Encoder that fails to build) or is not there; results stay exactly pydantic's."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubeset
import pydantic
import pytest
from kubeset.codec import (
    TESTED_PYDANTIC,
    CodecFallbackWarning,
    decode_json,
    layout,
    native,
    to_json,
)
from kubeset.codec.layout import EXPECTED_LAYOUT, layout_problems, observe_layout
from kubeset.codec.plan import plan_models
from kubeset.kubernetes import scheme
from kubeset.kubernetes.models.core.v1 import ContainerPort, Pod, PodList

FIXTURES = "fixtures/v1.36.0"
PROJECT = Path(__file__).resolve().parents[3]
codec = native.load_codec()
needs_codec = pytest.mark.skipif(not codec, reason="kubeset._codec is not built")


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[warnings.WarningMessage]]:
    """A process that has planned no model yet, checked no layout and warned about nothing;
    yields the warnings issued meanwhile."""
    monkeypatch.setattr(native, "_NATIVE", {})
    monkeypatch.setattr(native, "_layout_ok", None)
    monkeypatch.setattr(native, "_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def _pydantic_json(obj: pydantic.BaseModel) -> bytes:
    return obj.__pydantic_serializer__.to_json(obj, by_alias=True, exclude_unset=True)


def _decodes_and_encodes_as_pydantic_does(shared_dir: Path) -> None:
    raw = (shared_dir / FIXTURES / "core.v1.Pod.json").read_bytes()
    expected = Pod.model_validate_json(raw)
    for _ in range(2):  # the second time from the per-class cache
        got = decode_json(Pod, raw)
        assert got == expected and got.model_fields_set == expected.model_fields_set
        assert to_json(got) == _pydantic_json(expected)
    pod = scheme.decode(raw)
    assert json.loads(kubeset.to_json(pod)) == json.loads(raw)
    listed = decode_json(PodList, b'{"items":[{"metadata":{"name":"a"}}],"future":1}')
    assert listed.items[0].metadata.name == "a" and listed.model_extra == {"future": 1}  # type: ignore[index,union-attr]


def _codec_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, CodecFallbackWarning)]


def test_without_the_compiled_codec_pydantic_does_everything(
    monkeypatch: pytest.MonkeyPatch, shared_dir: Path, fresh: list[warnings.WarningMessage]
) -> None:
    """A kubeset built without a Rust toolchain: same results, through pydantic alone, no warning."""
    monkeypatch.setattr(native, "_codec", False)
    assert native.native_decoder(PodList) is None and native.native_encoder(PodList) is None
    _decodes_and_encodes_as_pydantic_does(shared_dir)
    listed = kubeset.decode_large(PodList, b'{"items":[{"metadata":{"name":"a"}}]}')
    assert listed.items[0].metadata.name == "a"  # type: ignore[index,union-attr]
    assert _codec_warnings(fresh) == []


def test_the_installed_pydantic_has_the_layout_the_codec_relies_on() -> None:
    observed = observe_layout()
    assert layout_problems(observed) == [], f"{pydantic.VERSION}: {layout_problems(observed)}"
    assert observed == EXPECTED_LAYOUT


def test_layout_problems_name_every_difference() -> None:
    other = dataclasses.replace(
        EXPECTED_LAYOUT,
        fields_set_type=frozenset,
        base_slots=("__dict__",),
        dict_keys=("second", "first"),
    )
    problems = layout_problems(other)
    assert problems == [
        (
            "base_slots is ('__dict__',), expected "
            "('__dict__', '__pydantic_fields_set__', '__pydantic_extra__', '__pydantic_private__')"
        ),
        "dict_keys is ('second', 'first'), expected ('first', 'second')",
        "fields_set_type is frozenset, expected set",
    ]


@needs_codec
def test_a_pydantic_with_another_object_layout_warns_once_and_pydantic_decodes(
    monkeypatch: pytest.MonkeyPatch, shared_dir: Path, fresh: list[warnings.WarningMessage]
) -> None:
    moved = dataclasses.replace(EXPECTED_LAYOUT, extra_type=type(None), dict_keys=("second",))
    monkeypatch.setattr(layout, "observe_layout", lambda: moved)
    _decodes_and_encodes_as_pydantic_does(shared_dir)
    assert native.native_decoder(Pod) is None and native.native_encoder(PodList) is None
    (message,) = _codec_warnings(fresh)
    assert f"pydantic {pydantic.VERSION} (pydantic-core " in message
    assert "is untested with kubeset's compiled codec" in message
    assert (
        "extra_type is NoneType, expected dict" in message and "dict_keys is ('second',)" in message
    )
    assert f"tested with pydantic {TESTED_PYDANTIC[0]} to {TESTED_PYDANTIC[1]}" in message


@needs_codec
def test_a_layout_check_that_breaks_counts_as_a_mismatch(
    monkeypatch: pytest.MonkeyPatch, shared_dir: Path, fresh: list[warnings.WarningMessage]
) -> None:
    def broken() -> layout.PydanticLayout:
        raise AttributeError("'Probe' object has no attribute '__pydantic_fields_set__'")

    monkeypatch.setattr(layout, "observe_layout", broken)
    _decodes_and_encodes_as_pydantic_does(shared_dir)
    assert native.native_decoder(Pod) is None
    (message,) = _codec_warnings(fresh)
    assert "checking the pydantic object layout failed (AttributeError: 'Probe' object" in message


class _Refuses:
    """A Decoder or Encoder that a pydantic kubeset has not seen makes fail to build."""

    def __init__(self, *args: Any) -> None:
        raise ValueError("__pydantic_extra__ is not a slot")


@needs_codec
@pytest.mark.parametrize("part", ["Decoder", "Encoder"])
def test_a_decoder_or_encoder_that_fails_to_build_leaves_that_half_to_pydantic(
    part: str,
    monkeypatch: pytest.MonkeyPatch,
    shared_dir: Path,
    fresh: list[warnings.WarningMessage],
) -> None:
    monkeypatch.setattr(codec, part, _Refuses)
    _decodes_and_encodes_as_pydantic_does(shared_dir)
    assert (native.native_decoder(Pod) is None) == (part == "Decoder")
    assert (native.native_encoder(Pod) is None) == (part == "Encoder")
    (message,) = _codec_warnings(fresh)  # one warning, although Pod, PodList, ... all failed
    assert re.search(
        rf"building the {part.lower()} of Pod failed \(ValueError: __pydantic_extra__ is not a slot\)",
        message,
    ), message


@needs_codec
def test_a_plan_that_fails_to_build_leaves_the_model_to_pydantic(
    monkeypatch: pytest.MonkeyPatch, shared_dir: Path, fresh: list[warnings.WarningMessage]
) -> None:
    def renamed(model: type, kind: Any) -> Any:
        raise AttributeError(
            f"type object {model.__name__!r} has no attribute '__pydantic_decorators__'"
        )

    monkeypatch.setattr(native, "plan_models", renamed)
    _decodes_and_encodes_as_pydantic_does(shared_dir)
    assert native.native_decoder(Pod) is None and native.native_encoder(Pod) is None
    (message,) = _codec_warnings(fresh)
    assert "planning Pod failed (AttributeError: type object 'Pod'" in message


@needs_codec
def test_field_kinds_come_from_the_extension_alone() -> None:
    """The plans carry kubeset._codec.Kind values; a bare number is no kind to the extension."""

    def kinds(spec: tuple[Any, ...]) -> Iterator[Any]:
        yield spec[0]
        if isinstance(spec[1], tuple):
            yield from kinds(spec[1])

    plans = plan_models(PodList, codec.Kind)
    seen = {k for plan in plans.models for _, spec in plan[1].values() for k in kinds(spec)}
    assert seen and all(isinstance(k, codec.Kind) for k in seen)
    assert {
        codec.Kind.MODEL,
        codec.Kind.LIST,
        codec.Kind.DICT,
        codec.Kind.STR,
        codec.Kind.TIME,
    } <= seen
    port = plan_models(ContainerPort, codec.Kind)  # scalars only: a plan of its own
    cls, fields, order = port.models[port.root]
    numbered = [(cls, {k: (a, (0, None)) for k, (a, _) in fields.items()}, order)]
    utc = dt.UTC
    assert codec.Decoder(port.models, port.root, utc, None, pydantic.BaseModel).decode(
        b'{"containerPort":80}'
    ) == ContainerPort(container_port=80)
    with pytest.raises(TypeError, match="'int' object cannot be converted to 'Kind'"):
        codec.Decoder(numbered, 0, utc, None, pydantic.BaseModel)


def test_the_tested_pydantic_releases_are_the_lowest_allowed_and_the_pinned_one() -> None:
    pyproject = (PROJECT / "pyproject.toml").read_text()
    lowest = re.search(r'"pydantic>=([\d.]+),<3"', pyproject)
    assert lowest is not None and TESTED_PYDANTIC[0].startswith(lowest.group(1) + ".")
    pinned = re.search(
        r"^pydantic==([\d.]+)$", (PROJECT / "requirements-dev.txt").read_text(), re.MULTILINE
    )
    assert pinned is not None and TESTED_PYDANTIC[1] == pinned.group(1)
