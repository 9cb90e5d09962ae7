"""Transport behaviour checked on the wire against a local HTTPS server."""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import stat
import sys
import time

import pytest
from kubeset.config import Config, ConfigError, ImpersonationConfig
from kubeset.errors import ApiConnectionError, RequestTimeout
from kubeset.transport import Transport, base, default_user_agent

from .conftest import PKI, Server


def _cfg(server: Server, pki: PKI, **kw: object) -> Config:
    base: dict[str, object] = {"host": server.url, "ca_data": pki.ca_pem, "qps": -1}
    base.update(kw)
    return Config(**base)  # type: ignore[arg-type]


def test_tls_verified_with_ca_data(server: Server, pki: PKI) -> None:
    with Transport(_cfg(server, pki)) as t:
        resp = t.request("GET", server.url + "/api")
    assert resp.status_code == 200
    assert server.requests[0].path == "/api"


def test_tls_verified_with_ca_file(server: Server, pki: PKI) -> None:
    ca = pki.write("ca-file.crt", pki.ca_pem)
    with Transport(_cfg(server, pki, ca_data=None, ca_file=str(ca))) as t:
        assert t.request("GET", server.url + "/version").status_code == 200


def test_wrong_ca_fails_verification(server: Server, pki: PKI) -> None:
    with (
        Transport(_cfg(server, pki, ca_data=pki.other_ca_pem)) as t,
        pytest.raises(ApiConnectionError),
    ):
        t.request("GET", server.url + "/api")
    assert server.requests == []


def test_verification_is_on_by_default(server: Server, pki: PKI) -> None:
    # no CA configured: the system roots do not know the test CA
    with (
        Transport(Config(host=server.url, qps=-1)) as t,
        pytest.raises(ApiConnectionError),
    ):
        t.request("GET", server.url + "/api")


def test_requests_ca_bundle_env_is_ignored(
    server: Server, pki: PKI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # client-go trusts only the configured CA; requests' env variables must not widen that
    bundle = pki.write("bundle.crt", pki.ca_pem)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(bundle))
    with (
        Transport(Config(host=server.url, qps=-1)) as t,
        pytest.raises(ApiConnectionError),
    ):
        t.request("GET", server.url + "/api")


def test_insecure_skips_verification(server: Server, pki: PKI) -> None:
    with Transport(Config(host=server.url, insecure=True, qps=-1)) as t:
        assert t.request("GET", server.url + "/api").status_code == 200


def test_insecure_with_ca_is_an_error(server: Server, pki: PKI) -> None:
    with pytest.raises(ConfigError, match="root certificates file with the insecure flag"):
        Transport(_cfg(server, pki, insecure=True))


def test_server_name_is_used_for_verification(server: Server, pki: PKI) -> None:
    # connect by IP but verify the certificate against kube.test (a SAN of the cert)
    with Transport(_cfg(server, pki, server_name="kube.test")) as t:
        assert t.request("GET", server.url + "/api").status_code == 200
    with (
        Transport(_cfg(server, pki, server_name="not-in-the-cert.test")) as t,
        pytest.raises(ApiConnectionError),
    ):
        t.request("GET", server.url + "/api")


def test_tls_1_2_minimum(server: Server, pki: PKI) -> None:
    import ssl

    from kubeset.transport import build_ssl_context

    ctx = build_ssl_context(_cfg(server, pki))
    assert ctx.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname


def test_client_certificate_from_data(mtls_server: Server, pki: PKI) -> None:
    cfg = _cfg(mtls_server, pki, cert_data=pki.client_cert_pem, key_data=pki.client_key_pem)
    with Transport(cfg) as t:
        assert t.request("GET", mtls_server.url + "/api").status_code == 200
    assert mtls_server.requests[0].client_cn == "alice"


def test_client_certificate_from_files(mtls_server: Server, pki: PKI) -> None:
    cert = pki.write("alice.crt", pki.client_cert_pem)
    key = pki.write("alice.key", pki.client_key_pem)
    cfg = _cfg(mtls_server, pki, cert_file=str(cert), key_file=str(key))
    with Transport(cfg) as t:
        assert t.request("GET", mtls_server.url + "/api").status_code == 200
    assert mtls_server.requests[0].client_cn == "alice"


def test_no_client_certificate_is_rejected_by_mtls_server(mtls_server: Server, pki: PKI) -> None:
    with (
        Transport(_cfg(mtls_server, pki)) as t,
        pytest.raises(ApiConnectionError),
    ):
        t.request("GET", mtls_server.url + "/api")
    assert mtls_server.requests == []


def test_mismatched_client_key_is_a_clear_error(pki: PKI) -> None:
    cfg = Config(
        host="https://127.0.0.1:1",
        ca_data=pki.ca_pem,
        cert_data=pki.client_cert_pem,
        key_data=pki.bob_key_pem,
    )
    with pytest.raises(ConfigError, match="client-certificate/client-key") as info:
        Transport(cfg)
    assert "PRIVATE KEY" not in str(info.value)


def test_in_memory_key_never_written_to_disk(
    mtls_server: Server, pki: PKI, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    # every file the process creates while loading the key must be private
    created: list[tuple[str, int]] = []
    real_open = os.open

    def spy_open(path: str, flags: int, mode: int = 0o777, *a: object, **k: object) -> int:
        if flags & os.O_CREAT:
            created.append((str(path), mode))
        return real_open(path, flags, mode, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy_open)
    memfds: list[str] = []
    if hasattr(os, "memfd_create"):
        real_memfd = os.memfd_create

        def spy_memfd(name: str, flags: int = os.MFD_CLOEXEC) -> int:
            memfds.append(name)
            return real_memfd(name, flags)

        monkeypatch.setattr(os, "memfd_create", spy_memfd)
    cfg = _cfg(mtls_server, pki, cert_data=pki.client_cert_pem, key_data=pki.client_key_pem)
    with Transport(cfg) as t:
        assert t.request("GET", mtls_server.url + "/api").status_code == 200
    assert mtls_server.requests[0].client_cn == "alice"
    if hasattr(os, "memfd_create"):
        # Linux: certificate and key went through anonymous memory files, no file at all
        assert len(memfds) == 2 and created == []
    else:  # pragma: no cover - other systems: only private files
        assert created
    for path, mode in created:
        assert mode & 0o077 == 0, f"{path} created with mode {oct(mode)}"


def test_private_temp_file_fallback_is_0600_and_removed(
    pki: PKI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kubeset.transport import tls

    monkeypatch.delattr(os, "memfd_create", raising=False)
    seen: list[tuple[str, int, int]] = []
    with tls._in_memory_files(b"one", b"two") as paths:
        for p in paths:
            st = os.stat(p)
            dst = os.stat(os.path.dirname(p))
            seen.append((p, stat.S_IMODE(st.st_mode), stat.S_IMODE(dst.st_mode)))
            with open(p, "rb") as fh:
                assert fh.read() in (b"one", b"two")
    for path, mode, dir_mode in seen:
        assert mode == 0o600 and dir_mode == 0o700
        assert not os.path.exists(path)
        assert not os.path.exists(os.path.dirname(path))


def test_bearer_token(server: Server, pki: PKI) -> None:
    with Transport(_cfg(server, pki, bearer_token="tok-123")) as t:
        t.request("GET", server.url + "/api")
    assert server.requests[0].header("Authorization") == "Bearer tok-123"


def test_caller_authorization_header_wins(server: Server, pki: PKI) -> None:
    with Transport(_cfg(server, pki, bearer_token="tok-123")) as t:
        t.request("GET", server.url + "/api", headers={"Authorization": "Bearer other"})
    assert server.requests[0].header_all("Authorization") == ["Bearer other"]


def test_basic_auth(server: Server, pki: PKI) -> None:
    with Transport(_cfg(server, pki, username="admin", password="s3cr3t:pw")) as t:
        t.request("GET", server.url + "/api")
    expected = "Basic " + base64.b64encode(b"admin:s3cr3t:pw").decode()
    assert server.requests[0].header("Authorization") == expected


def test_token_and_basic_together_is_an_error(server: Server, pki: PKI) -> None:
    with pytest.raises(ConfigError, match="username/password or bearer token may be set"):
        Transport(_cfg(server, pki, bearer_token="t", username="u", password="p"))


def test_impersonation_headers(server: Server, pki: PKI) -> None:
    imp = ImpersonationConfig(
        user="jane",
        uid="1234",
        groups=["devs", "ops,team"],
        extra={"scopes": ["view", "edit"], "acme.com/project": ["p1"]},
    )
    with Transport(_cfg(server, pki, impersonate=imp)) as t:
        t.request("GET", server.url + "/api")
    req = server.requests[0]
    assert req.header("Impersonate-User") == "jane"
    assert req.header("Impersonate-Uid") == "1234"
    # repeated header lines, not one comma-joined value (a group may contain a comma)
    assert req.header_all("Impersonate-Group") == ["devs", "ops,team"]
    assert req.header_all("Impersonate-Extra-Scopes") == ["view", "edit"]
    assert req.header_all("Impersonate-Extra-Acme.com%2Fproject") == ["p1"]


def test_impersonation_groups_without_user_is_an_error(server: Server, pki: PKI) -> None:
    with pytest.raises(ConfigError, match="without impersonating a user"):
        Transport(_cfg(server, pki, impersonate=ImpersonationConfig(groups=["g"])))


def test_user_agent(server: Server, pki: PKI) -> None:
    with Transport(_cfg(server, pki)) as t:
        t.request("GET", server.url + "/api")
    ua = server.requests[0].header("User-Agent") or ""
    import kubeset

    assert ua == default_user_agent()
    # client-go names the program first, then the OS/arch; kubeset and its version follow
    assert ua.endswith(f") kubeset/{kubeset.__version__}") and "/" in ua.split(" ")[0]
    with Transport(_cfg(server, pki, user_agent="my-controller/1.0")) as t:
        t.request("GET", server.url + "/api")
    assert server.requests[1].header("User-Agent") == "my-controller/1.0"


def test_disable_compression(server: Server, pki: PKI) -> None:
    with Transport(_cfg(server, pki)) as t:
        t.request("GET", server.url + "/api")
    assert "gzip" in (server.requests[0].header("Accept-Encoding") or "")
    with Transport(_cfg(server, pki, disable_compression=True)) as t:
        t.request("GET", server.url + "/api")
    assert server.requests[1].header("Accept-Encoding") == "identity"


def test_request_passes_method_params_body_headers(server: Server, pki: PKI) -> None:
    with Transport(_cfg(server, pki)) as t:
        resp = t.request(
            "POST",
            server.url + "/api/v1/namespaces/default/pods",
            params={"dryRun": "All", "fieldManager": ["a", "b"]},
            data=b'{"kind":"Pod"}',
            headers={"Content-Type": "application/json"},
            timeout=5,
        )
    assert json.loads(resp.read())["status"] == "Success"
    req = server.requests[0]
    assert req.method == "POST"
    assert req.path == "/api/v1/namespaces/default/pods?dryRun=All&fieldManager=a&fieldManager=b"
    assert req.body == b'{"kind":"Pod"}'
    assert req.header("Content-Type") == "application/json"


def test_stream_response(server: Server, pki: PKI) -> None:
    server.respond = lambda req: (200, {}, b'{"a":1}\n{"b":2}\n')
    with Transport(_cfg(server, pki)) as t:
        resp = t.request("GET", server.url + "/watch", stream=True)
        lines = [line for line in resp.read().split(b"\n") if line]
    assert lines == [b'{"a":1}', b'{"b":2}']


def test_token_file_is_reread_when_rotated(
    server: Server, pki: PKI, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from kubeset.transport.auth import files as auth  # the module whose clock the reads use

    now = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: now[0])
    token_file = Path(str(tmp_path)) / "token"
    token_file.write_text("first\n")
    with Transport(_cfg(server, pki, bearer_token_file=str(token_file))) as t:
        t.request("GET", server.url + "/a")
        token_file.write_text("second\n")
        now[0] += 30  # within the minute: the cached token is used
        t.request("GET", server.url + "/b")
        now[0] += 31  # past the minute: re-read
        t.request("GET", server.url + "/c")
    got = [r.header("Authorization") for r in server.requests]
    assert got == ["Bearer first", "Bearer first", "Bearer second"]


def test_token_file_unreadable_later_keeps_last_token(
    server: Server,
    pki: PKI,
    tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from pathlib import Path

    from kubeset.transport.auth import files as auth  # the module whose clock the reads use

    now = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: now[0])
    token_file = Path(str(tmp_path)) / "token"
    token_file.write_text("precious-token")
    with Transport(_cfg(server, pki, bearer_token_file=str(token_file))) as t:
        t.request("GET", server.url + "/a")
        token_file.unlink()
        now[0] += 120
        with caplog.at_level(logging.WARNING):
            t.request("GET", server.url + "/b")
    assert [r.header("Authorization") for r in server.requests] == ["Bearer precious-token"] * 2
    assert str(token_file) in caplog.text
    assert "precious-token" not in caplog.text


def test_missing_token_file_is_a_clear_error(server: Server, pki: PKI, tmp_path: object) -> None:
    missing = os.path.join(str(tmp_path), "nope")
    with (
        Transport(_cfg(server, pki, bearer_token_file=missing)) as t,
        pytest.raises(ConfigError, match="nope: cannot read the token file"),
    ):
        t.request("GET", server.url + "/a")
    assert server.requests == []


def test_no_credentials_sends_no_authorization(server: Server, pki: PKI) -> None:
    with Transport(_cfg(server, pki)) as t:
        t.request("GET", server.url + "/api")
    assert server.requests[0].header("Authorization") is None


def test_config_timeout_is_the_default_timeout(server: Server, pki: PKI) -> None:
    import threading

    release = threading.Event()

    def slow(req: object) -> tuple[int, dict[str, str], bytes]:
        release.wait(5)
        return 200, {}, b"{}"

    server.respond = slow  # type: ignore[assignment]
    try:
        with (
            Transport(_cfg(server, pki, timeout=0.2)) as t,
            pytest.raises(RequestTimeout),
        ):
            t.request("GET", server.url + "/slow")
    finally:
        release.set()


def test_in_cluster_config_on_the_wire_with_rotating_token(
    server: Server, pki: PKI, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from kubeset.config import in_cluster_config
    from kubeset.transport.auth import files as auth  # the module whose clock the reads use

    now = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: now[0])
    sa = Path(str(tmp_path)) / "sa"
    sa.mkdir()
    (sa / "token").write_text("sa-token-1")
    (sa / "ca.crt").write_bytes(pki.ca_pem)
    (sa / "namespace").write_text("prod")
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", str(server.port))
    cfg = in_cluster_config(service_account_dir=sa)
    with Transport(cfg.copy(qps=-1)) as t:
        t.request("GET", cfg.host + "/api")
        (sa / "token").write_text("sa-token-2")  # the kubelet rotated the token
        now[0] += 61  # a minute later
        t.request("GET", cfg.host + "/api")
    assert [r.header("Authorization") for r in server.requests] == [
        "Bearer sa-token-1",
        "Bearer sa-token-2",
    ]


def _kubeconfig(tmp: object, doc: dict[str, object]) -> str:
    import os

    import yaml

    path = os.path.join(str(tmp), "kubeconfig")
    with open(path, "w") as fh:
        yaml.safe_dump(doc, fh)
    return path


def test_kubeconfig_to_the_wire_client_cert_and_impersonation(
    mtls_server: Server, pki: PKI, tmp_path: object
) -> None:
    from kubeset.config import load_kubeconfig

    b64 = lambda data: base64.b64encode(data).decode()
    doc = {
        "clusters": [
            {
                "name": "local",
                "cluster": {
                    "server": mtls_server.url,
                    "certificate-authority-data": b64(pki.ca_pem),
                },
            }
        ],
        "users": [
            {
                "name": "alice",
                "user": {
                    "client-certificate-data": b64(pki.client_cert_pem),
                    "client-key-data": b64(pki.client_key_pem),
                    "as": "jane",
                    "as-groups": ["g1", "g2"],
                },
            }
        ],
        "contexts": [{"name": "ctx", "context": {"cluster": "local", "user": "alice"}}],
        "current-context": "ctx",
    }
    cfg = load_kubeconfig(_kubeconfig(tmp_path, doc))
    with Transport(cfg) as t:
        assert t.request("GET", cfg.host + "/api").status_code == 200
    req = mtls_server.requests[0]
    assert req.client_cn == "alice"
    assert req.header("Impersonate-User") == "jane"
    assert req.header_all("Impersonate-Group") == ["g1", "g2"]


def test_kubeconfig_gcp_provider_fails_with_migration_message(pki: PKI, tmp_path: object) -> None:
    from kubeset.config import load_kubeconfig

    doc = {
        "clusters": [{"name": "gke", "cluster": {"server": "https://35.1.2.3"}}],
        "users": [
            {
                "name": "gke-user",
                "user": {"auth-provider": {"name": "gcp", "config": {"access-token": "ya29.x"}}},
            }
        ],
        "contexts": [{"name": "ctx", "context": {"cluster": "gke", "user": "gke-user"}}],
        "current-context": "ctx",
    }
    cfg = load_kubeconfig(_kubeconfig(tmp_path, doc))
    with pytest.raises(ConfigError, match="gke-gcloud-auth-plugin") as info:
        Transport(cfg)
    assert "ya29.x" not in str(info.value)


def test_socks5_without_pysocks_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "socks", None)  # makes "import socks" fail
    with pytest.raises(ConfigError, match="needs PySocks"):
        Transport(Config(host="https://x", proxy_url="socks5://proxy:1080"))


def test_encrypted_client_key_is_a_clear_error_not_a_prompt(pki: PKI) -> None:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(pki.client_key_pem, password=None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    )
    cfg = Config(
        host="https://127.0.0.1:1",
        ca_data=pki.ca_pem,
        cert_data=pki.client_cert_pem,
        key_data=encrypted,
    )
    with pytest.raises(ConfigError, match="client-key: the private key is encrypted"):
        Transport(cfg)


def test_garbage_ca_is_a_clear_error(pki: PKI) -> None:
    with pytest.raises(ConfigError, match="certificate-authority-data: no usable PEM certificate"):
        Transport(Config(host="https://x", ca_data=b"not a certificate"))
    bad = pki.write(
        "garbage-ca.crt", b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n"
    )
    with pytest.raises(ConfigError, match=f"certificate-authority {bad}: no usable PEM"):
        Transport(Config(host="https://x", ca_file=str(bad)))
    with pytest.raises(ConfigError, match="client-certificate /nonexistent/c.crt: cannot read"):
        Transport(Config(host="https://x", cert_file="/nonexistent/c.crt", key_data=b"k"))


def test_a_handshake_that_gets_no_answer_fails_within_the_connect_limit(
    pki: PKI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A peer that accepts the TCP connection and never answers the TLS hello (a black-holed
    network) fails after CONNECT_TIMEOUT, not after the call's own (longer) timeout."""
    monkeypatch.setattr(base, "CONNECT_TIMEOUT", 0.5)
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"https://127.0.0.1:{silent.getsockname()[1]}"
        with Transport(Config(host=url, ca_data=pki.ca_pem, qps=-1, timeout=30)) as t:
            started = time.monotonic()
            with pytest.raises(RequestTimeout, match="no TLS handshake within 0.5 s"):
                t.request("GET", url + "/api")
            took = time.monotonic() - started
    assert 0.4 <= took < 5, took
