"""Credentials kept in files that rotate: a bearer token file and client certificate/key files.

    token = CachedFileToken("/var/run/secrets/kubernetes.io/serviceaccount/token").token()
    pair, changed = ClientCertFiles("client.crt", "client.key").current()

A token file is re-read at most once a minute (client-go's caching file token source), so a
rotated token is picked up; certificate and key files at most once a second, so new connections
present a renewed certificate.  A failed re-read keeps the last good value.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from ...errors import ConfigError

__all__ = ["CERT_FILE_PERIOD", "TOKEN_FILE_PERIOD", "CachedFileToken", "ClientCertFiles"]

log = logging.getLogger(__name__)

TOKEN_FILE_PERIOD = 60.0  # seconds between re-reads of a token file (client-go: 1 minute)


class CachedFileToken:
    """A bearer token read from a file, re-read at most every ``period`` seconds.

    When a re-read fails the previous token keeps being used (and the read is tried
    again on the next call), like client-go's caching file token source.
    """

    def __init__(
        self,
        path: str,
        *,
        period: float = TOKEN_FILE_PERIOD,
        clock: Callable[[], float] | None = None,
        field: str = "tokenFile",
    ) -> None:
        self.path = path
        self.period = period
        self._clock = clock or (lambda: time.monotonic())
        self._field = field
        self._token: str | None = None
        self._next_read = 0.0
        self._lock = threading.Lock()
        self.reads = 0  # how many times the file was read (for tests and debugging)

    def __repr__(self) -> str:
        return f"CachedFileToken(path={self.path!r}, period={self.period!r})"

    def token(self) -> str:
        with self._lock:
            now = self._clock()
            if self._token is not None and now < self._next_read:
                return self._token
            try:
                self.reads += 1
                with open(self.path, "rb") as fh:
                    raw = fh.read()
                try:
                    token = raw.decode("utf-8").strip()
                except UnicodeDecodeError:
                    raise ConfigError(
                        f"{self._field} {self.path}: the token file is not UTF-8 text"
                    ) from None
                if not token:
                    raise ConfigError(
                        f"{self._field} {self.path}: read an empty token from the file"
                    )
            except (OSError, ConfigError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else str(exc)
                if self._token is not None:
                    log.warning(
                        "could not re-read the token file %s (%s); using the previous token",
                        self.path,
                        reason,
                    )
                    return self._token
                if isinstance(exc, ConfigError):
                    raise
                raise ConfigError(
                    f"{self._field} {self.path}: cannot read the token file: {reason}"
                ) from None
            self._token = token
            self._next_read = now + self.period
            return token


CERT_FILE_PERIOD = 1.0  # seconds between re-reads of client certificate files (client-go)


class ClientCertFiles:
    """A client certificate and key read from files, re-read when they rotate.

    client-go reloads ``client-certificate``/``client-key`` files for new TLS
    connections, at most once a second, so long-running controllers pick up renewed
    certificates.  :meth:`current` is the hook the transport calls before it opens a
    connection (in practice: before each request): it returns the PEM pair and whether
    it differs from the pair the previous call returned; on ``changed`` the transport
    builds a new TLS context with the pair (new connections use it, connections in
    flight finish with the old one).  Like client-go, a pair that cannot be read is an
    error (``ConfigError`` naming the file, never its content).
    """

    def __init__(
        self,
        cert_file: str,
        key_file: str,
        *,
        period: float = CERT_FILE_PERIOD,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.cert_file = cert_file
        self.key_file = key_file
        self.period = period
        self._clock = clock or (lambda: time.monotonic())
        self._lock = threading.Lock()
        self._pair = self._read()
        self._next_read = self._clock() + period
        self.reads = 1  # how many times the files were read (for tests and debugging)

    def __repr__(self) -> str:
        return f"ClientCertFiles(cert_file={self.cert_file!r}, key_file={self.key_file!r})"

    def _read(self) -> tuple[bytes, bytes]:
        pair: list[bytes] = []
        for what, path in (("client-certificate", self.cert_file), ("client-key", self.key_file)):
            try:
                with open(path, "rb") as fh:
                    pair.append(fh.read())
            except OSError as exc:
                raise ConfigError(f"{what} {path}: cannot read the file: {exc.strerror}") from None
        return pair[0], pair[1]

    def current(self) -> tuple[tuple[bytes, bytes], bool]:
        """``((cert_pem, key_pem), changed)``; the files are read at most once a period."""
        with self._lock:
            now = self._clock()
            if now < self._next_read:
                return self._pair, False
            self.reads += 1
            pair = self._read()
            self._next_read = now + self.period
            changed = pair != self._pair
            self._pair = pair
            return pair, changed
