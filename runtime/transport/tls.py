"""TLS for the transport: the ``ssl.SSLContext`` a Config asks for.

    ctx = build_ssl_context(config)          # CA, client certificate, TLS >= 1.2, verification on

Verification is on unless the kubeconfig says ``insecure-skip-tls-verify`` (a CA together with
that flag is refused, as client-go does).  Key material held in memory (``*-data`` fields, exec
plugin certificates) reaches OpenSSL through an anonymous in-memory file (``memfd_create``) so it
never touches a file system; where that is unavailable it goes through a 0600 file in a private
0700 temporary directory that is removed right after loading.
"""

from __future__ import annotations

import os
import shutil
import ssl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from ..config import Config
from ..errors import ConfigError

__all__ = ["build_ssl_context", "config_client_cert"]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


@contextmanager
def _in_memory_files(*blobs: bytes) -> Iterator[list[str]]:
    """Paths from which OpenSSL can read ``blobs`` without them touching a disk.

    Linux: anonymous memory files (``memfd_create``) read through ``/proc/self/fd``.
    Elsewhere: 0600 files in a private 0700 directory, removed on exit.
    """
    if hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd"):
        fds: list[int] = []
        try:
            for blob in blobs:
                fd = os.memfd_create("kubeset-tls", os.MFD_CLOEXEC)
                fds.append(fd)
                _write_all(fd, blob)
            yield [f"/proc/self/fd/{fd}" for fd in fds]
        finally:
            for fd in fds:
                os.close(fd)
        return
    folder = tempfile.mkdtemp(prefix="kubeset-tls-")  # mode 0700
    try:
        paths = []
        for i, blob in enumerate(blobs):
            path = os.path.join(folder, f"{i}.pem")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                _write_all(fd, blob)
            finally:
                os.close(fd)
            paths.append(path)
        yield paths
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _read_file(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise ConfigError(f"{what} {path}: cannot read the file: {exc.strerror}") from None


def _ssl_reason(exc: ssl.SSLError) -> str:
    return str(exc.reason or exc.strerror or exc.__class__.__name__)


def build_ssl_context(
    config: Config, client_cert: tuple[bytes, bytes] | None = None
) -> ssl.SSLContext:
    """The client-side ``ssl.SSLContext`` for ``config``.

    ``client_cert`` (PEM certificate, PEM key) overrides the config's client
    certificate (exec plugins return one).
    """
    has_ca = bool(config.ca_data or config.ca_file)
    if config.insecure and has_ca:
        raise ConfigError(
            "specifying a root certificates file with the insecure flag is not allowed"
        )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if config.insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif config.ca_data:
        try:
            ctx.load_verify_locations(cadata=config.ca_data.decode("ascii"))
        except (UnicodeDecodeError, ssl.SSLError, ValueError) as exc:
            reason = _ssl_reason(exc) if isinstance(exc, ssl.SSLError) else "not PEM text"
            raise ConfigError(
                f"certificate-authority-data: no usable PEM certificate ({reason})"
            ) from None
    elif config.ca_file:
        data = _read_file(config.ca_file, "certificate-authority")
        try:
            ctx.load_verify_locations(cadata=data.decode("ascii"))
        except (UnicodeDecodeError, ssl.SSLError, ValueError) as exc:
            reason = _ssl_reason(exc) if isinstance(exc, ssl.SSLError) else "not PEM text"
            raise ConfigError(
                f"certificate-authority {config.ca_file}: no usable PEM certificate ({reason})"
            ) from None
    else:
        ctx.load_default_certs()
        if not ctx.get_ca_certs():
            try:
                import certifi

                ctx.load_verify_locations(cafile=certifi.where())
            except (ImportError, OSError, ssl.SSLError):  # pragma: no cover
                pass
    if client_cert is None:
        client_cert = config_client_cert(config)
    if client_cert is not None:
        cert_pem, key_pem = client_cert
        try:
            with _in_memory_files(cert_pem, key_pem) as (cert_path, key_path):
                # never let OpenSSL prompt on the terminal for a key passphrase
                ctx.load_cert_chain(cert_path, key_path, password=_no_passphrase)
        except _EncryptedKey:
            raise ConfigError(
                "client-key: the private key is encrypted; client-go and kubeset need an "
                "unencrypted PEM key"
            ) from None
        except ssl.SSLError as exc:
            raise ConfigError(
                "client-certificate/client-key: cannot use the client certificate and key "
                f"({_ssl_reason(exc)}); they must be a matching PEM certificate and PEM key"
            ) from None
    return ctx


class _EncryptedKey(Exception):
    pass


def _no_passphrase() -> bytes:
    raise _EncryptedKey()


def config_client_cert(config: Config) -> tuple[bytes, bytes] | None:
    has_cert = bool(config.cert_data or config.cert_file)
    has_key = bool(config.key_data or config.key_file)
    if not has_cert and not has_key:
        return None
    if not has_cert or not has_key:
        raise ConfigError(
            "a client certificate needs both a certificate (client-certificate[-data]) "
            "and a key (client-key[-data])"
        )
    cert = config.cert_data or _read_file(str(config.cert_file), "client-certificate")
    key = config.key_data or _read_file(str(config.key_file), "client-key")
    return cert, key
