"""The channel protocols and keep-alive decisions, without I/O."""

from __future__ import annotations

import json

import pytest
from kubeset.errors import InternalError, StreamError
from kubeset.streams import KeepAlive, exec_params, websocket
from kubeset.streams.channels import (
    ChannelReader,
    PortPrefixes,
    close_frame,
    exit_code,
    frame,
    resize_frame,
    stdin_closable,
)
from kubeset.streams.websocket import Heartbeat


def test_frames_are_a_channel_byte_then_the_payload() -> None:
    assert frame(0, b"in") == b"\x00in"
    assert close_frame(0) == b"\xff\x00"
    assert json.loads(resize_frame(80, 24)[1:]) == {"Width": 80, "Height": 24}
    assert resize_frame(80, 24)[0] == 4
    with pytest.raises(ValueError):
        frame(256)
    with pytest.raises(ValueError):
        resize_frame(-1, 3)
    assert stdin_closable("v5.channel.k8s.io") and not stdin_closable("v4.channel.k8s.io")


def test_fragments_keep_the_channel_of_their_message() -> None:
    reader = ChannelReader()
    assert reader.feed(b"\x02err", first=True) == (2, b"err")
    assert reader.feed(b"more", first=False) == (2, b"more")
    assert reader.feed(b"", first=True) is None
    assert reader.feed(b"lost", first=False) is None


def _status(**fields: object) -> bytes:
    return json.dumps({"kind": "Status", "apiVersion": "v1", **fields}).encode()


def test_the_error_channel_status_gives_the_exit_code() -> None:
    assert exit_code(_status(status="Success")) == 0
    three = _status(
        status="Failure",
        reason="NonZeroExitCode",
        details={
            "causes": [{"reason": "Other", "message": "x"}, {"reason": "ExitCode", "message": "3"}]
        },
    )
    assert exit_code(three) == 3
    with pytest.raises(StreamError, match="valid exit code"):
        exit_code(_status(status="Failure", reason="NonZeroExitCode", details={"causes": []}))
    with pytest.raises(InternalError, match="not found") as err:
        exit_code(
            _status(status="Failure", reason="InternalError", code=500, message="tar not found"),
            path="/api/v1/namespaces/d/pods/p/exec",
        )
    assert err.value.path == "/api/v1/namespaces/d/pods/p/exec"
    with pytest.raises(StreamError, match="no metav1.Status"):
        exit_code(b"plain text")


def test_port_prefixes_are_stripped_even_when_split() -> None:
    prefixes = PortPrefixes((8080, 9090))
    assert prefixes.feed(0, b"\x90") == b""
    assert prefixes.feed(0, b"\x1fdata") == b"data"
    assert prefixes.feed(0, b"\x90\x1f") == b"\x90\x1f"  # after the prefix: data
    assert prefixes.feed(3, (9090).to_bytes(2, "little") + b"boom") == b"boom"
    with pytest.raises(StreamError, match="announced port"):
        prefixes.feed(2, (1).to_bytes(2, "little"))
    with pytest.raises(StreamError, match="unknown channel"):
        prefixes.feed(4, b"")


def test_the_heartbeat_pings_each_period_and_gives_up_after_the_timeout() -> None:
    beat = Heartbeat(KeepAlive(period=5, timeout=61), now=100.0)
    assert not beat.ping_due(104.9) and beat.ping_due(105.0)
    beat.pinged(105.0)
    assert beat.wait(105.0) == 5.0
    assert not beat.expired(160.9) and beat.expired(161.0)
    beat.received(150.0)
    assert not beat.expired(200.0) and beat.expired(211.0)
    assert beat.wait(209.0) == 0.0  # the deadline passed: wake now
    with pytest.raises(ValueError):
        KeepAlive(period=10, timeout=5)


def test_exec_params_follow_client_go() -> None:
    params = exec_params(
        ["ls", "-l"], container="c", stdin=True, stdout=True, stderr=True, tty=True
    )
    assert params == {
        "container": "c",
        "stdin": True,
        "stdout": True,
        "stderr": False,  # a terminal merges stderr into stdout
        "tty": True,
        "command": ["ls", "-l"],
    }
    assert "command" not in exec_params(
        None, container=None, stdin=False, stdout=True, stderr=True, tty=False
    )
    for bad in ("ls -l", []):
        with pytest.raises(ValueError, match="list"):
            exec_params(bad, container=None, stdin=False, stdout=True, stderr=True, tty=False)


def test_without_websockets_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(websocket, "HAVE_WEBSOCKETS", False)
    with pytest.raises(StreamError, match=r"pip install 'kubeset\[streams\]'"):
        websocket.require_websockets()
