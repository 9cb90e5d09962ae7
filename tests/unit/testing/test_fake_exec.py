"""The fake cluster's exec: handlers per pod answer pods.exec_run / exec like a kubelet."""

from __future__ import annotations

import pytest
from kubeset.errors import CommandFailed, InternalError, NotFound, StreamError
from kubeset.testing import FakeTransport


def _fake_with_pod() -> FakeTransport:
    fake = FakeTransport()
    fake.clientset().core_v1.pods("default").create(
        {"metadata": {"name": "web"}, "spec": {"containers": [{"name": "c", "image": "x"}]}}
    )
    return fake


def test_a_handler_answers_exec_with_stdin_output_and_exit_code() -> None:
    fake = _fake_with_pod()
    seen: list[tuple[tuple[str, ...], bytes]] = []

    def handler(command: tuple[str, ...], stdin: bytes) -> tuple[bytes, bytes, int]:
        seen.append((command, stdin))
        return stdin.upper(), b"warn\n", 3

    fake.on_exec("web", handler)
    pods = fake.clientset().core_v1.pods("default")
    r = pods.exec_run("web", ["tr", "a-z", "A-Z"], stdin=b"abc")
    assert (r.exit_code, r.stdout, r.stderr) == (3, b"ABC", b"warn\n")
    assert seen == [(("tr", "a-z", "A-Z"), b"abc")]
    with pytest.raises(CommandFailed):
        pods.exec_run("web", ["false"], check=True)
    with pods.exec("web", ["cat"], stdin=True) as s:
        assert s.stdin is not None and s.stdout is not None
        s.stdin.write(b"typed")
        s.close_stdin()
        assert s.wait(5) == 3 and s.stdout.read() == b"TYPED"


def test_missing_pods_handlers_and_failing_handlers_are_clear_errors() -> None:
    fake = _fake_with_pod()
    pods = fake.clientset().core_v1.pods("default")
    with pytest.raises(NotFound):
        pods.exec_run("nope", ["ls"])
    with pytest.raises(StreamError, match=r"fake.on_exec\('web', handler\)"):
        pods.exec_run("web", ["ls"])

    def broken(command: tuple[str, ...], stdin: bytes) -> tuple[bytes, bytes, int]:
        raise RuntimeError("no such binary")

    fake.on_exec("web", broken, namespace="default")
    with pytest.raises(InternalError, match="no such binary"):
        pods.exec_run("web", ["ls"])
    with pytest.raises(StreamError, match="exec only"):
        pods.port_stream("web", 80)
