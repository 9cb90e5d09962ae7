"""LineStream splits in linear time however lines are cut into chunks, and caps one line."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from kubeset import errors
from kubeset.rest.stream import DEFAULT_MAX_LINE, LineStream
from kubeset.transport.base import Response


def chunked(data: bytes, size: int) -> Iterator[bytes]:
    for pos in range(0, len(data), size):
        yield data[pos : pos + size]


def lines_of(data: bytes, size: int, **kwargs: int) -> list[bytes]:
    return list(LineStream(Response(200, {}, chunked(data, size)), "test", **kwargs).lines())


def test_one_40_mb_event_in_16_kb_chunks_is_linear() -> None:
    big = b"x" * (40 << 20)
    started = time.monotonic()
    got = lines_of(b"a\n" + big + b"\nb", 16 * 1024)
    assert time.monotonic() - started < 10  # quadratic re-joining took 51 s
    assert [len(x) for x in got] == [1, len(big), 1]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 1 << 16])
def test_lines_are_the_same_for_any_chunking(size: int) -> None:
    data = b"one\ntwo\n\nthree\r\n" + b"y" * 300 + b"\nlast"
    assert lines_of(data, size) == [b"one", b"two", b"", b"three\r", b"y" * 300, b"last"]


def test_a_line_beyond_the_cap_is_a_clear_error() -> None:
    started = time.monotonic()
    with pytest.raises(errors.ResponseTooLarge) as info:
        lines_of(b"ok\n" + b"z" * 5000 + b"\n", 100, max_line=1000)
    assert isinstance(info.value, errors.KubesetError)
    assert time.monotonic() - started < 5
    assert "1000 bytes" in str(info.value) and "max_line" in str(info.value)
    assert lines_of(b"z" * 1000 + b"\n", 100, max_line=1000) == [b"z" * 1000]  # at the cap: fine


def test_default_cap_is_far_above_the_servers_object_limit() -> None:
    assert DEFAULT_MAX_LINE >= 32 * 1.5 * 1024 * 1024


def test_the_cap_holds_for_a_body_given_in_one_piece() -> None:
    with pytest.raises(errors.ResponseTooLarge):
        list(
            LineStream(Response(200, {}, b"a\n" + b"z" * 5000 + b"\nb"), "t", max_line=100).lines()
        )
