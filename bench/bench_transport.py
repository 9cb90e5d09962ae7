"""Config and transport costs: kubeconfig loading, Transport construction, per-request overhead.

The per-request case compares ``Transport.request`` (auth header, impersonation, proxy
lookup, rate limiter disabled) with a bare ``requests.Session`` against the same local
HTTP server, so the ratio is kubeset's overhead on top of requests.
"""

from __future__ import annotations

import http.server
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
import yaml
from kubeset.config import Config, ImpersonationConfig, load_kubeconfig
from kubeset.transport import Transport


def _median(fn: Callable[[], None], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _ca_data() -> str:
    """A real self-signed CA certificate, base64 as kubeconfigs carry it (the loader checks PEM)."""
    import base64
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench-ca")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.PEM)).decode()


def _big_kubeconfig(folder: str, n: int) -> str:
    ca_data = _ca_data()
    doc: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": f"c{i}",
                "cluster": {
                    "server": f"https://10.0.{i // 250}.{i % 250}:6443",
                    "certificate-authority-data": ca_data,
                },
            }
            for i in range(n)
        ],
        "users": [{"name": f"u{i}", "user": {"token": f"token-{i}"}} for i in range(n)],
        "contexts": [
            {"name": f"ctx{i}", "context": {"cluster": f"c{i}", "user": f"u{i}", "namespace": "ns"}}
            for i in range(n)
        ],
        "current-context": "ctx0",
    }
    path = os.path.join(folder, "config")
    with open(path, "w") as fh:
        yaml.safe_dump(doc, fh)
    return path


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 65536  # one write per response (no delayed-ACK stalls)

    def do_GET(self) -> None:
        body = b'{"kind":"Status"}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def rows() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        for n in (1, 300):
            path = _big_kubeconfig(folder, n)
            out.append(
                {
                    "bench": "config",
                    "case": f"load_kubeconfig ({n} contexts)",
                    "median_s": _median(lambda path=path: load_kubeconfig(path)),  # type: ignore[misc]
                }
            )

    out.append(
        {
            "bench": "config",
            "case": "Transport() insecure (no CA to load)",
            "median_s": _median(
                lambda: Transport(Config(host="https://x", ca_data=None, insecure=True)).close()
            ),
            "note": "SSLContext, session, adapter",
        }
    )
    out.append(
        {
            "bench": "config",
            "case": "Transport() with system roots",
            "median_s": _median(lambda: Transport(Config(host="https://x")).close()),
        }
    )

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/api"
    n = 300
    try:
        session = requests.Session()
        session.trust_env = False

        def raw() -> None:
            for _ in range(n):
                _ = session.get(url, headers={"Authorization": "Bearer t"}).content

        plain = Transport(Config(host=url, bearer_token="t", qps=-1))
        imp = Transport(
            Config(
                host=url,
                bearer_token="t",
                qps=-1,
                impersonate=ImpersonationConfig(user="u", groups=["a", "b"]),
            )
        )

        def via(transport: Transport) -> Callable[[], None]:
            def run() -> None:
                for _ in range(n):
                    _ = transport.request("GET", url).read()

            return run

        # interleaved rounds so that machine noise hits every case alike
        cases = {"raw": raw, "plain": via(plain), "imp": via(imp)}
        for fn in cases.values():
            fn()  # warm the connections
        times: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(7):
            for key, fn in cases.items():
                start = time.perf_counter()
                fn()
                times[key].append((time.perf_counter() - start) / n)
        base = statistics.median(times["raw"])
        ours = statistics.median(times["plain"])
        ours_imp = statistics.median(times["imp"])
        plain.close()
        imp.close()
        session.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    out.append(
        {"bench": "transport", "case": "requests.Session GET (local http)", "median_s": base}
    )
    for case, value in (
        ("Transport.request GET (bearer token)", ours),
        ("Transport.request GET (token + impersonation)", ours_imp),
    ):
        out.append(
            {
                "bench": "transport",
                "case": case,
                "median_s": value,
                "baseline_case": "requests.Session GET (local http)",
                "ratio": value / base,
                "target": "<= 1.2x",
            }
        )
    return out


if __name__ == "__main__":
    for row in rows():
        print(row)
