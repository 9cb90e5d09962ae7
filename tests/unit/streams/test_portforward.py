"""Port-forward against the in-process channel-protocol server (pods' ports are local ports)."""

from __future__ import annotations

import os
import socket
import threading

import pytest
from kubeset.errors import StreamError
from kubeset.kubernetes.clients.core_v1 import PodsClient
from kubeset.streams import PortMapping, parse_ports
from streamhelpers import EchoServer, exchange

from .wsserver import StreamServer


def test_three_ports_with_concurrent_connections_are_byte_exact(
    server: StreamServer, pods: PodsClient, echoes: list[EchoServer]
) -> None:
    with pods.port_forward("p", [f":{e.port}" for e in echoes], timeout=30) as pf:
        locals_ = [pf.local_port(e.port) for e in echoes]
        assert all(lp not in (0, e.port) for lp, e in zip(locals_, echoes))
        payloads = {(lp, i): os.urandom(256 * 1024) for lp in locals_ for i in range(5)}
        results: dict[tuple[int, int], bytes] = {}
        threads = [
            threading.Thread(target=lambda k=k: results.__setitem__(k, exchange(k[0], payloads[k])))
            for k in payloads
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert results == payloads
        assert pf.errors == []
    forwarded = [r for r in server.requests if r[0].endswith("/pods/p/portforward")]
    assert len(forwarded) == 15  # one stream per connection, as kubectl
    assert {r[1]["ports"][0] for r in forwarded} == {str(e.port) for e in echoes}


def test_an_in_process_stream_is_socket_like(pods: PodsClient, echoes: list[EchoServer]) -> None:
    with pods.port_stream("p", echoes[0].port, timeout=30) as s:
        s.settimeout(30)
        s.sendall(b"ping")
        got = b""
        while len(got) < 4:
            got += s.recv(10)
        assert got == b"ping"


def test_nothing_listening_is_a_stream_error(pods: PodsClient) -> None:
    free = socket.create_server(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    with pods.port_stream("p", port, timeout=30) as s:
        s.settimeout(30)
        with pytest.raises(StreamError, match=f"port {port}"):
            s.recv(10)
    with pods.port_forward("p", [f":{port}"], timeout=30) as pf:
        with socket.create_connection(("127.0.0.1", pf.local_port(port)), timeout=30) as conn:
            assert conn.recv(10) == b""  # the local connection is closed
        for _ in range(100):
            if pf.errors:
                break
            threading.Event().wait(0.05)
        assert pf.errors and isinstance(pf.errors[0], StreamError)


def test_port_specs_follow_kubectl() -> None:
    assert parse_ports([8080, "9090:80", ":81", "0:82"]) == [
        PortMapping(8080, 8080),
        PortMapping(9090, 80),
        PortMapping(0, 81),
        PortMapping(0, 82),
    ]
    for bad in (["x"], ["80:"], ["1:70000"], [0], []):
        with pytest.raises(ValueError):
            parse_ports(bad)
    with pytest.raises(TypeError, match="list"):
        parse_ports("8080")
