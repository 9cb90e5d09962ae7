"""Streams to pods: exec, attach, port-forward and copy over the API server's WebSocket support.

    result = pods.exec_run("web", ["sh", "-c", "echo hi"])        # kubeset.resource.HasExec
    with pods.port_forward("web", [":80"]) as pf: ...             # kubeset.resource.HasPortForward

The layer above :mod:`kubeset.rest`: :mod:`.channels` (the channel protocols without I/O),
:mod:`.websocket` (a WebSocket on a blocking socket: ``websockets``' Sans-I/O protocol, one I/O
thread, keep-alive), :mod:`.dial` (the Config's TLS, credentials, impersonation and proxy),
:mod:`.pipes` (bounded byte pipes), :mod:`.remotecommand` (exec and attach sessions,
``ExecResult``), :mod:`.portforward` (streams and local listeners), :mod:`.cp` (``kubectl cp``:
tar over exec).  Needs the ``websockets`` library: ``pip install 'kubeset[streams]'``.
"""

from __future__ import annotations

from .channels import EXEC_PROTOCOLS, PORT_FORWARD_PROTOCOLS, V4, V5
from .dial import Dialer, StreamDialer, dialer_for
from .pipes import Pipe
from .portforward import PortForward, PortForwardSocket, PortMapping, open_port, parse_ports
from .remotecommand import ExecResult, Session, StdinWriter, exec_params, run
from .websocket import HAVE_WEBSOCKETS, Connection, KeepAlive, WebSocket, require_websockets

__all__ = [
    "EXEC_PROTOCOLS",
    "HAVE_WEBSOCKETS",
    "PORT_FORWARD_PROTOCOLS",
    "V4",
    "V5",
    "Connection",
    "Dialer",
    "ExecResult",
    "KeepAlive",
    "Pipe",
    "PortForward",
    "PortForwardSocket",
    "PortMapping",
    "Session",
    "StdinWriter",
    "StreamDialer",
    "WebSocket",
    "dialer_for",
    "exec_params",
    "open_port",
    "parse_ports",
    "require_websockets",
    "run",
]
