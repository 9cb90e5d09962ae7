"""Issue-10 behaviours that need the transport/RESTClient to call the hooks in
kubeset.transport.auth and kubeset.config (``Credentials``, ``resolve_timeout``,
``default_user_agent``, ``Config.base_url``).

Each test states the client-go behaviour on the wire and is marked ``xfail(strict=True)``
until the transport side is wired: it fails today for the reason named, and the strict
marker turns it into a failure the moment it passes, so the marker is removed together
with the wiring.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from kubeset.config import Config, ImpersonationConfig, default_user_agent, load_kubeconfig
from kubeset.rest import RESTClient
from kubeset.transport import Transport

from .conftest import PKI, Server
from .test_exec_plugin import V1, Plugin

pending = pytest.mark.usefixtures()  # the transport wiring landed


@pytest.fixture
def plugin(tmp_path: Path) -> Plugin:
    return Plugin(tmp_path / "plugin")


@pending
def test_two_transports_from_one_kubeconfig_share_one_exec_plugin_run(
    server: Server, pki: PKI, tmp_path: Path, plugin: Plugin
) -> None:
    # wiring: Transport builds auth.Credentials(config), which uses exec_authenticator()
    path = tmp_path / "config"
    path.write_text(
        yaml.safe_dump(
            {
                "clusters": [
                    {
                        "name": "c",
                        "cluster": {
                            "server": server.url,
                            "certificate-authority": str(pki.write("ca.crt", pki.ca_pem)),
                        },
                    }
                ],
                "users": [
                    {
                        "name": "u",
                        "user": {
                            "exec": {
                                "command": str(plugin.path),
                                "apiVersion": V1,
                                "interactiveMode": "Never",
                                "env": [{"name": "STATE", "value": str(plugin.folder)}],
                            }
                        },
                    }
                ],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        )
    )
    with Transport(load_kubeconfig(path)) as a, Transport(load_kubeconfig(path)) as b:
        a.request("GET", server.url + "/api")
        b.request("GET", server.url + "/api")
    assert plugin.runs == 1


@pending
def test_hand_built_config_with_client_certificate_runs_no_exec_plugin(
    mtls_server: Server, pki: PKI, plugin: Plugin
) -> None:
    # wiring: Credentials skips the plugin (exec_plugin_applies); today it runs
    cfg = Config(
        host=mtls_server.url,
        ca_data=pki.ca_pem,
        cert_data=pki.client_cert_pem,
        key_data=pki.client_key_pem,
        exec_provider=plugin.exec_config(),
    )
    with Transport(cfg) as t:
        t.request("GET", mtls_server.url + "/api")
    assert mtls_server.requests[0].header("Authorization") is None
    assert plugin.runs == 0


@pending
def test_caller_impersonate_user_header_suppresses_config_impersonation_on_the_wire(
    server: Server, pki: PKI
) -> None:
    # wiring: per-request headers from Credentials.for_request(headers); today the
    # adapter adds the config's Impersonate-Group lines to every request
    imp = ImpersonationConfig(user="jane", groups=["devs"])
    with Transport(Config(host=server.url, ca_data=pki.ca_pem, impersonate=imp)) as t:
        t.request("GET", server.url + "/api", headers={"Impersonate-User": "bob"})
    assert server.requests[0].header_all("Impersonate-User") == ["bob"]
    assert server.requests[0].header_all("Impersonate-Group") == []


@pending
def test_rotated_client_certificate_files_are_used_for_new_connections(
    mtls_server: Server, pki: PKI, tmp_path: Path
) -> None:
    # wiring: RequestAuth.client_cert from Credentials -> a new TLS context
    cert, key = tmp_path / "c.crt", tmp_path / "c.key"
    cert.write_bytes(pki.client_cert_pem)
    key.write_bytes(pki.client_key_pem)
    cfg = Config(host=mtls_server.url, ca_data=pki.ca_pem, cert_file=str(cert), key_file=str(key))
    with Transport(cfg) as t:
        t.request("GET", mtls_server.url + "/api")
        cert.write_bytes(pki.bob_cert_pem)
        key.write_bytes(pki.bob_key_pem)
        time.sleep(1.1)  # files are checked at most once a second
        t.request("GET", mtls_server.url + "/api")
    assert [r.client_cn for r in mtls_server.requests] == ["alice", "bob"]


@pending
def test_timeout_zero_means_no_timeout(server: Server, pki: PKI) -> None:
    # wiring: resolve_timeout in Transport.request and RESTClient; today requests
    # rejects a timeout of 0
    with Transport(Config(host=server.url, ca_data=pki.ca_pem, timeout=0)) as t:
        assert t.request("GET", server.url + "/api").status_code == 200


@pending
def test_default_user_agent_names_the_program_on_the_wire(server: Server, pki: PKI) -> None:
    # wiring: Transport uses kubeset.config.default_user_agent()
    with Transport(Config(host=server.url, ca_data=pki.ca_pem)) as t:
        t.request("GET", server.url + "/api")
    assert server.requests[0].header("User-Agent") == default_user_agent()


@pending
def test_rest_client_takes_a_host_without_scheme_as_http(plain_server: Server) -> None:
    # wiring: RESTClient uses Config.base_url (client-go's DefaultServerURL)
    rest = RESTClient(Config(host=f"127.0.0.1:{plain_server.port}", qps=-1))
    rest.get().abs_path("/api").do_raw()
    assert plain_server.requests[0].path == "/api"
