"""The asyncio transport puts the Config's credentials on the wire as the requests one does.

Against the TLS test server of this folder (tests/unit/transport/conftest.py): a token file read
again after it rotates, an exec plugin run in a worker thread while the event loop keeps
serving other tasks, a new credential and one replay after a 401, impersonation with repeated
header lines, the client certificate of an mTLS server, and TLS verification.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
import time
from pathlib import Path

import pytest
from kubeset import errors
from kubeset.config import Config, ExecConfig, ImpersonationConfig
from kubeset.transport.aiosession import AsyncTransport
from kubeset.transport.base import HTTPRequest, Timeouts

from .conftest import PKI, Server

TIMEOUTS = Timeouts(connect=5, read=10, total=20)

SLOW_PLUGIN = textwrap.dedent(
    """\
    import json, os, sys, time
    state = os.environ["STATE"]
    runs = os.path.join(state, "runs")
    n = int(open(runs).read()) + 1 if os.path.exists(runs) else 1
    open(runs, "w").write(str(n))
    time.sleep(float(os.environ.get("SLOW", "0")))
    print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                      "status": {"token": "plugin-token-%d" % n}}))
    """
)


def _plugin(folder: Path, **env: str) -> ExecConfig:
    """An exec plugin printing ``plugin-token-<run>`` (after sleeping ``SLOW`` seconds)."""
    plugin = folder / "kube-plugin"
    plugin.write_text(f"#!{sys.executable}\n" + SLOW_PLUGIN)
    plugin.chmod(0o755)
    return ExecConfig(
        command=str(plugin),
        api_version="client.authentication.k8s.io/v1",
        interactive_mode="Never",
        env={"STATE": str(folder), **env},
    )


def _get(transport: AsyncTransport, server: Server, path: str = "/api") -> int:
    async def go() -> int:
        try:
            resp = await transport.send_async(
                HTTPRequest("GET", server.url + path, timeouts=TIMEOUTS)
            )
            await resp.read()
            return resp.status_code
        finally:
            await transport.aclose()

    return asyncio.run(go())


def test_a_token_file_is_read_again_after_it_rotates(
    server: Server, pki: PKI, tmp_path: Path
) -> None:
    token = tmp_path / "token"
    token.write_text("first-token\n")
    config = Config(host=server.url, ca_data=pki.ca_pem, bearer_token_file=str(token))
    assert _get(AsyncTransport(config), server) == 200
    token.write_text("second-token\n")
    time.sleep(1.1)  # the file is read again at most once a second
    assert _get(AsyncTransport(config), server) == 200
    seen = [r.header("Authorization") for r in server.requests]
    assert seen == ["Bearer first-token", "Bearer second-token"]


def test_an_exec_plugin_runs_off_the_event_loop(server: Server, pki: PKI, tmp_path: Path) -> None:
    exec_config = _plugin(tmp_path, SLOW="1.0")
    config = Config(host=server.url, ca_data=pki.ca_pem, exec_provider=exec_config)

    async def go() -> tuple[int, int]:
        transport = AsyncTransport(config)
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.05)
                ticks += 1

        task = asyncio.ensure_future(ticker())
        resp = await transport.send_async(
            HTTPRequest("GET", server.url + "/api", timeouts=TIMEOUTS)
        )
        task.cancel()
        await transport.aclose()
        return resp.status_code, ticks

    status, ticks = asyncio.run(go())
    assert status == 200
    assert server.requests[0].header("Authorization") == "Bearer plugin-token-1"
    # the plugin took a second: a loop that waited on it would have ticked once or not at all
    assert ticks >= 5


def test_a_401_to_an_exec_credential_fetches_a_new_one_and_replays_once(
    server: Server, pki: PKI, tmp_path: Path
) -> None:
    exec_config = _plugin(tmp_path)
    server.respond = lambda req: (
        (401, {}, b"")
        if req.header("Authorization") == "Bearer plugin-token-1"
        else (200, {}, b"{}")
    )
    config = Config(host=server.url, ca_data=pki.ca_pem, exec_provider=exec_config)
    assert _get(AsyncTransport(config), server) == 200
    assert [r.header("Authorization") for r in server.requests] == [
        "Bearer plugin-token-1",
        "Bearer plugin-token-2",
    ]


def test_impersonation_lines_repeat(server: Server, pki: PKI) -> None:
    config = Config(
        host=server.url,
        ca_data=pki.ca_pem,
        bearer_token="t",
        impersonate=ImpersonationConfig(
            user="jane", groups=["a", "b"], extra={"scopes": ["x", "y"]}
        ),
    )
    assert _get(AsyncTransport(config), server) == 200
    req = server.requests[0]
    assert req.header("Impersonate-User") == "jane"
    assert req.header_all("Impersonate-Group") == ["a", "b"]
    assert req.header_all("Impersonate-Extra-Scopes") == ["x", "y"]


def test_the_client_certificate_and_tls_verification(mtls_server: Server, pki: PKI) -> None:
    config = Config(
        host=mtls_server.url,
        ca_data=pki.ca_pem,
        cert_data=pki.client_cert_pem,
        key_data=pki.client_key_pem,
    )
    assert _get(AsyncTransport(config), mtls_server) == 200
    assert mtls_server.requests[0].client_cn == "alice"
    untrusted = Config(host=mtls_server.url, ca_data=pki.other_ca_pem)
    with pytest.raises(errors.ApiConnectionError, match="TLS"):
        _get(AsyncTransport(untrusted), mtls_server)
