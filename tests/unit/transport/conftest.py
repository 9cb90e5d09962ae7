"""A local HTTPS "API server" with a CA, server and client certificates made by the tests.

``pki`` (session): a CA, a second unrelated CA, a server certificate for localhost /
127.0.0.1 / ::1 / kube.test, a client certificate (CN=alice, O=devs) signed by the CA.
``server``: a threaded HTTPS server that records every request (method, path, headers
with repeated values, body, client certificate CN) and answers with ``server.respond``
(default: 200 and a small JSON body).
"""

from __future__ import annotations

import datetime
import http.server
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(cn: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _ca(cn: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=10))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _leaf(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    name: x509.Name,
    *,
    server: bool,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    import ipaddress

    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=5))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [
                    x509.ExtendedKeyUsageOID.SERVER_AUTH
                    if server
                    else x509.ExtendedKeyUsageOID.CLIENT_AUTH
                ]
            ),
            critical=False,
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.DNSName("kube.test"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
    return key, builder.sign(ca_key, hashes.SHA256())


@dataclass
class PKI:
    folder: Path
    ca_pem: bytes
    other_ca_pem: bytes
    server_cert_pem: bytes
    server_key_pem: bytes
    client_cert_pem: bytes
    client_key_pem: bytes
    other_client_cert_pem: bytes  # signed by the other CA (server must reject it)
    other_client_key_pem: bytes
    bob_cert_pem: bytes  # CN=bob, signed by the CA
    bob_key_pem: bytes

    def write(self, name: str, data: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(data)
        return path


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    folder = tmp_path_factory.mktemp("pki")
    ca_key, ca_cert = _ca("kubeset-test-ca")
    other_key, other_cert = _ca("some-other-ca")
    srv_key, srv_cert = _leaf(ca_key, ca_cert, _name("kube-apiserver"), server=True)
    cli_key, cli_cert = _leaf(ca_key, ca_cert, _name("alice", "devs"), server=False)
    bob_key, bob_cert = _leaf(ca_key, ca_cert, _name("bob", "ops"), server=False)
    oc_key, oc_cert = _leaf(other_key, other_cert, _name("mallory"), server=False)
    return PKI(
        folder=folder,
        ca_pem=_pem_cert(ca_cert),
        other_ca_pem=_pem_cert(other_cert),
        server_cert_pem=_pem_cert(srv_cert),
        server_key_pem=_pem_key(srv_key),
        client_cert_pem=_pem_cert(cli_cert),
        client_key_pem=_pem_key(cli_key),
        other_client_cert_pem=_pem_cert(oc_cert),
        other_client_key_pem=_pem_key(oc_key),
        bob_cert_pem=_pem_cert(bob_cert),
        bob_key_pem=_pem_key(bob_key),
    )


@dataclass
class Recorded:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes
    client_cn: str | None

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


Responder = Callable[[Recorded], tuple[int, dict[str, str], bytes]]


def _default_responder(req: Recorded) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json"}, b'{"kind":"Status","status":"Success"}'


@dataclass
class Server:
    host: str
    port: int
    requests: list[Recorded] = field(default_factory=list)
    respond: Responder = _default_responder
    scheme: str = "https"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def _client_cn(sock: Any) -> str | None:
    try:
        cert = sock.getpeercert()
    except (AttributeError, ValueError):
        return None
    if not cert:
        return None
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


def _start(
    pki: PKI, *, require_client_cert: bool = False, use_tls: bool = True
) -> Iterator[Server]:
    srv = Server(host="127.0.0.1", port=0, scheme="https" if use_tls else "http")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            rec = Recorded(
                method=self.command,
                path=self.path,
                headers=list(self.headers.items()),
                body=body,
                client_cn=_client_cn(self.connection),
            )
            srv.requests.append(rec)
            status, headers, payload = srv.respond(rec)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert_path = pki.write("server.crt", pki.server_cert_pem)
    key_path = pki.write("server.key", pki.server_key_pem)
    ctx.load_cert_chain(cert_path, key_path)
    ctx.load_verify_locations(cadata=pki.ca_pem.decode())
    ctx.verify_mode = ssl.CERT_REQUIRED if require_client_cert else ssl.CERT_OPTIONAL

    class TLSServer(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self) -> tuple[socket.socket, Any]:
            sock, addr = self.socket.accept()
            if not use_tls:
                return sock, addr
            try:
                tls = ctx.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                sock.close()
                raise
            return tls, addr

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # failed handshakes are part of the tests

    httpd = TLSServer(("127.0.0.1", 0), Handler)
    srv.port = httpd.server_address[1]
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield srv
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server(pki: PKI) -> Iterator[Server]:
    yield from _start(pki)


@pytest.fixture
def mtls_server(pki: PKI) -> Iterator[Server]:
    yield from _start(pki, require_client_cert=True)


@pytest.fixture
def plain_server(pki: PKI) -> Iterator[Server]:
    """The same recording server over plain HTTP (no TLS)."""
    yield from _start(pki, use_tls=False)


@pytest.fixture
def issuer(pki: PKI) -> Iterator[Server]:
    """A second HTTPS server (certificate from the test CA), e.g. an OIDC issuer."""
    yield from _start(pki)


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def json_body(req: Recorded) -> Any:
    return json.loads(req.body)


# --------------------------------------------------------------------------- proxies


@dataclass
class Proxy:
    url: str
    targets: list[str] = field(default_factory=list)  # "host:port" the clients asked for


def _relay(a: socket.socket, b: socket.socket) -> None:
    def pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    threading.Thread(target=pump, args=(a, b), daemon=True).start()
    threading.Thread(target=pump, args=(b, a), daemon=True).start()


def _serve(listener: socket.socket, handle: Callable[[socket.socket], None]) -> None:
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


@pytest.fixture
def connect_proxy(server: Server) -> Iterator[Proxy]:
    """An HTTP CONNECT proxy that sends every tunnel to the test server."""
    listener = socket.create_server(("127.0.0.1", 0))
    proxy = Proxy(url=f"http://127.0.0.1:{listener.getsockname()[1]}")

    def handle(conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                conn.close()
                return
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode()
        method, target, _ = line.split(" ", 2)
        if method != "CONNECT":
            conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            conn.close()
            return
        proxy.targets.append(target)
        upstream = socket.create_connection(("127.0.0.1", server.port))
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        _relay(conn, upstream)

    threading.Thread(target=_serve, args=(listener, handle), daemon=True).start()
    try:
        yield proxy
    finally:
        listener.close()


@pytest.fixture
def socks_proxy(server: Server) -> Iterator[Proxy]:
    """A SOCKS5 proxy (no auth) that sends every connection to the test server."""
    import struct

    listener = socket.create_server(("127.0.0.1", 0))
    proxy = Proxy(url=f"socks5://127.0.0.1:{listener.getsockname()[1]}")

    def recv_exact(conn: socket.socket, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = conn.recv(n - len(buf))
            if not chunk:
                raise OSError("closed")
            buf += chunk
        return buf

    def handle(conn: socket.socket) -> None:
        try:
            _ver, nmethods = recv_exact(conn, 2)
            recv_exact(conn, nmethods)
            conn.sendall(b"\x05\x00")
            _ver, _cmd, _rsv, atyp = recv_exact(conn, 4)
            if atyp == 3:  # domain name: resolved here, by the proxy
                host = recv_exact(conn, recv_exact(conn, 1)[0]).decode()
            elif atyp == 1:
                host = socket.inet_ntoa(recv_exact(conn, 4))
            else:
                host = socket.inet_ntop(socket.AF_INET6, recv_exact(conn, 16))
            (port,) = struct.unpack("!H", recv_exact(conn, 2))
            proxy.targets.append(f"{host}:{port}")
            upstream = socket.create_connection(("127.0.0.1", server.port))
            conn.sendall(
                b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack("!H", port)
            )
            _relay(conn, upstream)
        except OSError:
            conn.close()

    threading.Thread(target=_serve, args=(listener, handle), daemon=True).start()
    try:
        yield proxy
    finally:
        listener.close()
