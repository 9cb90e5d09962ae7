"""The e2e fault proxy (tests/e2e/faultproxy.py) against a local TCP echo server: each fault
measurably does what it says, and closing it leaves no thread behind."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from faultproxy import FaultProxy

pytestmark = pytest.mark.timeout(60)


class EchoServer:
    """Echoes every byte back on each connection; counts the bytes it received."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.received = 0
        self.threads: list[threading.Thread] = []
        self.sockets: list[socket.socket] = []
        self._spawn(self._accept)

    def _spawn(self, target: object, *args: object) -> None:
        t = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self.threads.append(t)
        t.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.sockets.append(conn)
            self._spawn(self._echo, conn)

    def _echo(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            while data := conn.recv(65536):
                with self.lock:
                    self.received += len(data)
                conn.sendall(data)

    def close(self) -> None:
        for s in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()
        for t in self.threads:
            t.join(5)


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    yield server
    server.close()


@pytest.fixture
def proxy(echo: EchoServer) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", echo.port) as p:
        yield p


def connect(proxy: FaultProxy, timeout: float = 5.0) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", proxy.port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exactly(s: socket.socket, n: int) -> bytes:
    got = b""
    while len(got) < n:
        data = s.recv(n - len(got))
        if not data:
            raise EOFError(f"end of stream after {len(got)} of {n} bytes")
        got += data
    return got


def round_trip(s: socket.socket, payload: bytes) -> float:
    started = time.monotonic()
    s.sendall(payload)
    assert recv_exactly(s, len(payload)) == payload
    return time.monotonic() - started


def proxy_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("faultproxy-")]


# -----------------------------------------------------------------------------------------------
def test_forwards_and_counts_connections(proxy: FaultProxy) -> None:
    with connect(proxy) as a, connect(proxy) as b:
        round_trip(a, b"hello")
        round_trip(b, b"world" * 1000)
        assert proxy.connections == 2 and proxy.open == 2


def test_cut_ends_open_connections(proxy: FaultProxy) -> None:
    with connect(proxy) as s:
        round_trip(s, b"x")
        assert proxy.cut() == 1
        assert s.recv(10) == b""  # an end of stream, at once
        assert proxy.open == 0
        with connect(proxy) as again:
            round_trip(again, b"y")  # new connections work


def test_latency_delays_each_direction_and_keeps_order(proxy: FaultProxy) -> None:
    with connect(proxy) as s:
        plain = round_trip(s, b"ping")
        proxy.latency(0.2)
        delayed = round_trip(s, b"ping")
        assert delayed >= 0.4  # 0.2 s up, 0.2 s down
        assert delayed < 0.4 + 2.0 + plain
        messages = [f"<{i}>".encode() for i in range(200)]
        started = time.monotonic()
        for m in messages:
            s.sendall(m)
        expected = b"".join(messages)
        assert recv_exactly(s, len(expected)) == expected  # in order
        # the chunks travel together: 200 delays overlap, they are not added up
        assert 0.4 <= time.monotonic() - started < 5
        proxy.latency(0)
        assert round_trip(s, b"ping") < 0.4


def test_bandwidth_caps_throughput(proxy: FaultProxy) -> None:
    rate = 100_000
    size = 80_000
    with connect(proxy, timeout=20) as s:
        proxy.bandwidth(rate)
        payload = bytes(range(256)) * (size // 256)
        sender = threading.Thread(target=s.sendall, args=(payload,))
        started = time.monotonic()
        sender.start()
        assert recv_exactly(s, len(payload)) == payload
        elapsed = time.monotonic() - started
        sender.join(5)
        # both directions are limited, pipelined: about size / rate in all
        throughput = len(payload) / elapsed
        assert throughput <= rate * 1.25, f"{throughput:.0f} B/s through a {rate} B/s limit"
        assert throughput >= rate / 4, f"{throughput:.0f} B/s through a {rate} B/s limit"
        proxy.bandwidth(None)
        assert round_trip(s, payload) < elapsed


def test_reset_after_resets_once_the_count_has_passed(proxy: FaultProxy) -> None:
    proxy.reset_after(10_000)
    trips = 0
    with connect(proxy) as s, pytest.raises((ConnectionResetError, EOFError)):
        for _ in range(200):
            round_trip(s, b"a" * 100)  # 200 bytes a trip, both directions counted
            trips += 1
    # 50 trips are exactly 10 000 bytes: the reset follows the 50th trip's bytes (which the
    # RST may overtake) and nothing past them passes
    assert trips in (49, 50), trips
    with connect(proxy) as again, pytest.raises((ConnectionResetError, EOFError)):
        round_trip(again, b"c" * 20_000)  # new connections too
    proxy.normal()
    with connect(proxy) as fine:
        round_trip(fine, b"d" * 5000)


def test_reset_after_arms_open_connections_when_asked(proxy: FaultProxy) -> None:
    with connect(proxy) as old, connect(proxy) as other:
        round_trip(old, b"x" * 5000)
        round_trip(other, b"x" * 5000)
        proxy.reset_after(100)  # new connections only: the open ones go on
        round_trip(old, b"y" * 5000)
        proxy.reset_after(100, open_connections=True)
        old.sendall(b"z" * 500)
        with pytest.raises((ConnectionResetError, EOFError)):
            recv_exactly(old, 500)
        with pytest.raises((ConnectionResetError, EOFError)):
            round_trip(other, b"z" * 500)


def test_blackhole_for_a_duration_stalls_then_resumes(proxy: FaultProxy) -> None:
    with connect(proxy) as s:
        round_trip(s, b"before")
        started = time.monotonic()
        proxy.blackhole(0.5)
        s.sendall(b"lost")
        s.settimeout(0.3)
        with pytest.raises(TimeoutError):
            s.recv(10)  # nothing comes back: dropped
        s.settimeout(5)
        while time.monotonic() - started < 0.5:
            time.sleep(0.05)
        # forwarding resumed by itself on the same connection; the dropped bytes stay lost
        assert round_trip(s, b"after") < 1.0
        assert proxy.open == 1


def test_blackhole_until_forward(proxy: FaultProxy) -> None:
    with connect(proxy) as s:
        proxy.blackhole()
        s.sendall(b"lost")
        s.settimeout(0.5)
        with pytest.raises(TimeoutError):
            s.recv(10)
        s.settimeout(5)
        proxy.forward()
        round_trip(s, b"after")


def test_normal_clears_every_fault_and_unblocks(proxy: FaultProxy) -> None:
    with connect(proxy) as armed:
        proxy.reset_after(1000, open_connections=True)
        proxy.normal()
        round_trip(armed, b"r" * 20_000)  # disarmed
    proxy.latency(0.3)
    proxy.bandwidth(1000)
    proxy.blackhole()
    proxy.block()
    with pytest.raises(ConnectionRefusedError):
        connect(proxy)
    proxy.normal()
    with connect(proxy) as s:
        assert round_trip(s, b"q" * 20_000) < 0.5


def test_bad_settings_are_refused(proxy: FaultProxy) -> None:
    with pytest.raises(ValueError, match="latency"):
        proxy.latency(-1)
    with pytest.raises(ValueError, match="bandwidth"):
        proxy.bandwidth(0)
    with pytest.raises(ValueError, match="blackhole"):
        proxy.blackhole(0)
    with pytest.raises(ValueError, match="reset_after"):
        proxy.reset_after(-5)
    with pytest.raises(ValueError, match="reset_after"):
        proxy.reset_after(1.5)  # type: ignore[arg-type]


def test_close_leaves_no_thread(echo: EchoServer) -> None:
    before = set(proxy_threads())
    proxy = FaultProxy("127.0.0.1", echo.port)
    clients = [connect(proxy) for _ in range(3)]
    for c in clients:
        round_trip(c, b"x")
    proxy.latency(5.0)  # data waiting to be sent when the proxy closes
    proxy.bandwidth(10)
    for c in clients:
        c.sendall(b"y" * 100)
    time.sleep(0.2)
    assert len(set(proxy_threads()) - before) == 1 + 4 * 3
    started = time.monotonic()
    proxy.close()
    assert time.monotonic() - started < 2
    assert set(proxy_threads()) - before == set()
    for c in clients:
        c.close()
