"""Leader election on ``coordination.k8s.io`` Leases (k8s.io/client-go/tools/leaderelection).

from kubeset.leaderelection import LeaderCallbacks, LeaderElectionConfig, LeaderElector, LeaseLock

lock = LeaseLock(cs.coordination_v1.leases("default"), "my-controller", identity=pod_name)
LeaderElector(LeaderElectionConfig(lock=lock, callbacks=LeaderCallbacks(
    on_started_leading=run_controller, on_stopped_leading=shut_down))).run()
"""

from __future__ import annotations

from .elector import (
    JITTER_FACTOR,
    LeaderCallbacks,
    LeaderElectionConfig,
    LeaderElectionConfigError,
    LeaderElector,
)
from .lock import LeaderElectionRecord, LeaseLock, LeasesClient, ResourceLock

__all__ = [
    "JITTER_FACTOR",
    "LeaderCallbacks",
    "LeaderElectionConfig",
    "LeaderElectionConfigError",
    "LeaderElectionRecord",
    "LeaderElector",
    "LeaseLock",
    "LeasesClient",
    "ResourceLock",
]
