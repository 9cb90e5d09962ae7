"""Where the leader is recorded: a ``coordination.k8s.io/v1`` Lease (client-go's resourcelock).

    lock = LeaseLock(cs.coordination_v1.leases("kube-system"), "my-controller", identity="pod-a")
    record = lock.get(timeout=2.0)       # LeaderElectionRecord, or NotFound
    lock.update(record, timeout=2.0)     # optimistic: Conflict when someone wrote the Lease meanwhile

Every call takes ``timeout``, the deadline of the whole call in seconds: the elector gives each
one what is left of its renew deadline, whatever the client's own timeouts are.

:class:`LeaderElectionRecord` is the plain-data view of the Lease spec; :class:`ResourceLock` is
the protocol the elector uses, so another store (or an in-memory one in tests) can stand in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from ..errors import KubesetError

__all__ = ["LeaderElectionRecord", "LeaseLock", "LeasesClient", "ResourceLock"]


@dataclass(frozen=True, slots=True)
class LeaderElectionRecord:
    """Who leads, for how long a lease lasts, and when it was acquired / last renewed."""

    holder_identity: str = ""
    lease_duration_seconds: int = 0
    acquire_time: datetime | None = None
    renew_time: datetime | None = None
    leader_transitions: int = 0


class ResourceLock(Protocol):
    """client-go's ``resourcelock.Interface``."""

    @property
    def identity(self) -> str: ...

    def get(self, *, timeout: float | None = None) -> LeaderElectionRecord:
        """The current record; raises :class:`~kubeset.errors.NotFound` when there is none."""
        ...

    def create(self, record: LeaderElectionRecord, *, timeout: float | None = None) -> None: ...

    def update(self, record: LeaderElectionRecord, *, timeout: float | None = None) -> None:
        """Write ``record`` over the one last read (Conflict when it changed since)."""
        ...

    def describe(self) -> str: ...


class LeasesClient(Protocol):
    """The typed Lease client (``cs.coordination_v1.leases(namespace)``)."""

    def get(self, name: str, /, *, timeout: float | None = ...) -> Any: ...

    def create(self, obj: Any, /, *, timeout: float | None = ...) -> Any: ...

    def update(self, obj: Any, /, *, timeout: float | None = ...) -> Any: ...


class LeaseLock:
    """A :class:`ResourceLock` on the Lease ``name`` of a Leases client."""

    def __init__(self, leases: LeasesClient, name: str, *, identity: str) -> None:
        if not identity:
            raise KubesetError("LeaseLock: identity must not be empty")
        self.leases = leases
        self.name = name
        self._identity = identity
        self._lease: Any = None

    @property
    def identity(self) -> str:
        return self._identity

    def describe(self) -> str:
        namespace = getattr(self.leases, "namespace", "")
        return f"{namespace}/{self.name}" if namespace else self.name

    def get(self, *, timeout: float | None = None) -> LeaderElectionRecord:
        lease = self.leases.get(self.name, timeout=timeout)
        self._lease = lease
        spec = lease.spec
        if spec is None:
            return LeaderElectionRecord()
        return LeaderElectionRecord(
            holder_identity=spec.holder_identity or "",
            lease_duration_seconds=spec.lease_duration_seconds or 0,
            acquire_time=spec.acquire_time,
            renew_time=spec.renew_time,
            leader_transitions=spec.lease_transitions or 0,
        )

    @staticmethod
    def _spec(record: LeaderElectionRecord) -> dict[str, Any]:
        return {
            "holderIdentity": record.holder_identity,
            "leaseDurationSeconds": record.lease_duration_seconds,
            "acquireTime": _micro(record.acquire_time),
            "renewTime": _micro(record.renew_time),
            "leaseTransitions": record.leader_transitions,
        }

    def create(self, record: LeaderElectionRecord, *, timeout: float | None = None) -> None:
        self._lease = self.leases.create(
            {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": self.name},
                "spec": self._spec(record),
            },
            timeout=timeout,
        )

    def update(self, record: LeaderElectionRecord, *, timeout: float | None = None) -> None:
        if self._lease is None:
            raise KubesetError(f"LeaseLock {self.describe()}: update before the Lease was read")
        meta = self._lease.metadata
        body = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {
                "name": self.name,
                "namespace": meta.namespace,
                "resourceVersion": meta.resource_version,
                "labels": meta.labels,
                "annotations": meta.annotations,
            },
            "spec": self._spec(record),
        }
        self._lease = self.leases.update(body, timeout=timeout)

    def __repr__(self) -> str:
        return f"<LeaseLock {self.describe()} identity={self._identity!r}>"


def _micro(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
