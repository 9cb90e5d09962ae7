"""Property: whatever a server answers (random statuses, headers and bodies, fixed seed), a
kubeset call either succeeds or raises a ``KubesetError``, never a library's exception, in
bounded time."""

from __future__ import annotations

import gzip
import json
import random
import socket
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from kubeset import errors
from kubeset.kubernetes.models.core.v1 import Pod, PodList
from kubeset.rest import RESTClient
from stacks import STACKS, Stack

from .rawserver import RawRequest, RawServer

SEED = 20261130
CASES = 300


@dataclass(frozen=True)
class Answer:
    """One scripted answer: raw bytes to send, then close (or stall ``stall`` seconds first)."""

    data: bytes
    stall: float = 0.0


def _junk_value(rng: random.Random, depth: int = 0) -> Any:
    choices: list[Callable[[], Any]] = [
        lambda: rng.randint(-(10**20), 10**20),
        lambda: rng.random() * 1e300,
        lambda: "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(0, 12))),
        lambda: None,
        lambda: rng.choice([True, False]),
    ]
    if depth < 3:
        choices += [
            lambda: [_junk_value(rng, depth + 1) for _ in range(rng.randint(0, 3))],
            lambda: {
                rng.choice(["code", "reason", "message", "details", "causes", "kind", "x"]): (
                    _junk_value(rng, depth + 1)
                )
                for _ in range(rng.randint(0, 4))
            },
        ]
    return rng.choice(choices)()


def _body(rng: random.Random) -> bytes:
    kind = rng.randrange(10)
    if kind == 0:
        return rng.randbytes(rng.randint(0, 300))
    if kind == 1:  # a Status with random types anywhere
        status: dict[str, Any] = {"kind": "Status", "apiVersion": "v1"}
        for key in ("code", "reason", "message", "details", "status"):
            if rng.random() < 0.7:
                status[key] = _junk_value(rng)
        if rng.random() < 0.5:
            status["details"] = {
                "causes": _junk_value(rng),
                "retryAfterSeconds": _junk_value(rng),
                "name": _junk_value(rng),
            }
        return json.dumps(status).encode()
    if kind == 2:
        depth = rng.choice([50, 2_000, 10_000])
        return b'{"kind":"Status","x":' + b"[" * depth + b"]" * depth + b"}"
    if kind == 3:  # a pod list or pod of the wrong shape
        return json.dumps(
            {"kind": "PodList", "items": _junk_value(rng), "metadata": _junk_value(rng)}
        ).encode()
    if kind == 4:  # watch lines, some of them broken
        lines = []
        for _ in range(rng.randint(1, 4)):
            event = {"type": rng.choice(["ADDED", "ERROR", "BOOKMARK", 5, None])}
            event["object"] = _junk_value(rng)
            lines.append(json.dumps(event).encode())
        if rng.random() < 0.5:
            lines.append(rng.randbytes(20))
        return b"\n".join(lines) + b"\n"
    if kind == 5:
        good = json.dumps({"kind": "Pod", "metadata": {"name": "p"}}).encode()
        return good[: rng.randint(0, len(good))]
    if kind == 6:
        return b"<html><body>bad gateway</body></html>"
    return json.dumps(_junk_value(rng)).encode()


def _encode(rng: random.Random, body: bytes, headers: list[tuple[str, str]]) -> bytes:
    choice = rng.randrange(6)
    if choice == 0:
        headers.append(("Content-Encoding", "gzip"))
        return gzip.compress(body)
    if choice == 1:
        headers.append(("Content-Encoding", rng.choice(["gzip", "deflate", "br", "zstd", "x"])))
        return body  # claims an encoding it does not have
    if choice == 2:
        headers.append(("Content-Encoding", "deflate"))
        return zlib.compress(body)
    if choice == 3 and body:
        headers.append(("Content-Encoding", "gzip"))
        packed = gzip.compress(body)
        return packed[: rng.randint(1, len(packed))]  # cut inside the gzip stream
    return body


def _answer(rng: random.Random) -> Answer:
    status = rng.choice([200, 201, 204, 301, 400, 401, 404, 409, 410, 422, 429, 500, 503, 504])
    if rng.random() < 0.05:
        status = rng.randint(100, 999)
    reason = rng.choice(["OK", "X", "", "Ünïcode"])
    headers: list[tuple[str, str]] = []
    if rng.random() < 0.3:
        headers.append(("Content-Type", rng.choice(["application/json", "text/html", "x"])))
    if rng.random() < 0.3:
        headers.append(
            ("Retry-After", rng.choice(["nan", "inf", "-1", "1e999", "0", "0.01", "x", "9" * 50]))
        )
    body = _encode(rng, _body(rng), headers)
    framing = rng.randrange(5)
    if framing == 0:  # chunked, chunks possibly lying about their size
        out = b""
        pos = 0
        while pos < len(body):
            size = rng.randint(1, 64)
            piece = body[pos : pos + size]
            declared = size if rng.random() < 0.9 else rng.randint(0, 200)
            out += b"%x\r\n%s\r\n" % (declared, piece)
            pos += size
        if rng.random() < 0.8:
            out += b"0\r\n\r\n"
        headers.append(("Transfer-Encoding", "chunked"))
        payload = out
    elif framing == 1:  # Content-Length that lies
        headers.append(("Content-Length", str(max(0, len(body) + rng.randint(-20, 20)))))
        payload = body
    elif framing == 2:
        headers.append(("Content-Length", rng.choice(["-1", "x", "99999999999999999999", ""])))
        payload = body
    else:
        headers.append(("Content-Length", str(len(body))))
        payload = body
    headers.append(("Connection", "close"))
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    if rng.random() < 0.03:
        head = rng.choice(["HTTP/1.1 abc\r\n", "garbage\r\n", "HTTP/1.1 200 OK\r\nBad Header\r\n"])
    data = head.encode("utf-8") + b"\r\n" + payload
    stall = 1.5 if rng.random() < 0.03 else 0.0
    return Answer(data, stall)


CALLS: list[tuple[str, Callable[[RESTClient], object]]] = [
    ("get json", lambda rest: rest.get().abs_path("api/v1/pods").do().json()),
    ("get into", lambda rest: rest.get().abs_path("api/v1/pods").do().into(PodList)),
    ("post", lambda rest: rest.post().abs_path("api/v1/pods").body({"kind": "Pod"}).into(Pod)),
    ("watch", lambda rest: list(rest.get().abs_path("api/v1/pods").watch(Pod))),
]


@pytest.fixture(scope="module")
def srv() -> Iterator[RawServer]:
    with RawServer() as server:
        yield server


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    with Stack(request.param) as s:
        yield s


def test_random_answers_raise_only_kubeset_errors(srv: RawServer, stack: Stack) -> None:
    """On the sync client and on the asyncio one alike."""
    rng = random.Random(SEED)
    rest = stack.rest_client(
        max_body_size=1 << 24,
        host=srv.url,
        timeout=1.0,
        max_retries=1,
        backoff_base=0.001,
        max_retry_after=0.01,
    )
    outcomes: dict[str, int] = {}
    for case in range(CASES):
        answer = _answer(rng)
        name, call = rng.choice(CALLS)

        def script(conn: socket.socket, request: RawRequest, answer: Answer = answer) -> None:
            conn.sendall(answer.data)
            if answer.stall:
                srv.closing.wait(answer.stall)

        srv.script = script
        started = time.monotonic()
        try:
            call(rest)
            outcome = "ok"
        except errors.KubesetError as e:
            outcome = type(e).__name__
        except Exception as e:  # noqa: BLE001 - the property under test
            pytest.fail(
                f"case {case} ({name}): {type(e).__name__}: {e!r:.300}\n{answer.data!r:.600}"
            )
        took = time.monotonic() - started
        assert took < 10, f"case {case} ({name}) took {took:.1f} s"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    # the cases reach many kinds of failure, not one
    assert len(outcomes) >= 6, outcomes
