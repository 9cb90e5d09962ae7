"""A controller: one ConfigMap per Namespace, with informers, listers, a work queue and leader election.

python examples/controller.py --kubeconfig ~/.kube/config [--namespace-selector team=a]
       [--lease-namespace default] [--lease-name kubeset-example-controller] [--workers 2]
       [--lease-duration 15] [--renew-deadline 10] [--retry-period 2]

Every Namespace (matching the selector) gets a ConfigMap ``kubeset-example`` holding its name
and uid; deleting or editing that ConfigMap puts it back.  Several copies may run: the one
holding the Lease does the work, the others wait to take over.  SIGTERM / Ctrl-C stops it and
releases the Lease.  When leadership is lost (the Lease could not be renewed within the renew
deadline, e.g. cut off from the server) the workers stop before taking another item (they check
the leadership token between items) and the process exits with status 1, as client-go's
example does, for its supervisor to start it again.  The pieces, as client-go controllers use
them:

* two :class:`~kubeset.cache.SharedInformerFactory` s (namespaces by the selector, the
  ConfigMaps this controller owns by their label) whose handlers enqueue a Namespace name;
* a :class:`~kubeset.workqueue.RateLimitingQueue`: a key is never worked on twice at once and a
  failure is retried with backoff;
* listers reading the informers' caches, so reconciling costs no GET;
* :class:`~kubeset.leaderelection.LeaderElector` on a Lease.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading
from typing import Any

import kubeset
from kubeset.cache import DeletedFinalStateUnknown, EventHandlers, SharedInformerFactory
from kubeset.clock import StopEvent
from kubeset.errors import AlreadyExists, KubesetError, NotFound
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.models.core.v1 import ConfigMap, Namespace
from kubeset.leaderelection import LeaderCallbacks, LeaderElectionConfig, LeaderElector, LeaseLock
from kubeset.workqueue import QueueShutDown, RateLimitingQueue

CONFIGMAP = "kubeset-example"
MANAGED_BY = "app.kubernetes.io/managed-by=kubeset-example-controller"

log = logging.getLogger("controller")
_stdout = threading.Lock()


def say(line: str) -> None:
    """One line on stdout at once (callbacks and workers print from their own threads)."""
    with _stdout:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class Controller:
    """Keeps a ConfigMap ``kubeset-example`` in every selected Namespace."""

    def __init__(self, cs: Clientset, namespace_selector: str | None, workers: int) -> None:
        self.cs = cs
        self.workers = workers
        self.queue: RateLimitingQueue[str] = RateLimitingQueue(name="namespaces")
        self.finished = threading.Event()  # run() has stopped its workers and informers
        self.ns_factory = SharedInformerFactory(label_selector=namespace_selector)
        self.cm_factory = SharedInformerFactory(label_selector=MANAGED_BY)
        self.namespaces = self.ns_factory.lister_for(cs.core_v1.namespaces)
        self.configmaps = self.cm_factory.lister_for(cs.core_v1.config_maps)
        self.ns_factory.informer_for(cs.core_v1.namespaces).add_event_handler(
            EventHandlers[Namespace](
                on_add=lambda ns, _: self.enqueue(ns.metadata.name),
                on_update=lambda _, ns: self.enqueue(ns.metadata.name),
            )
        )
        self.cm_factory.informer_for(cs.core_v1.config_maps).add_event_handler(
            EventHandlers[ConfigMap](
                on_update=lambda _, cm: self.enqueue(cm.metadata.namespace),
                on_delete=self._configmap_deleted,
            )
        )

    def enqueue(self, name: str | None) -> None:
        if name:
            self.queue.add(name)

    def _configmap_deleted(self, cm: ConfigMap | DeletedFinalStateUnknown[ConfigMap]) -> None:
        if isinstance(cm, DeletedFinalStateUnknown):  # deleted while our watch was down
            self.enqueue(cm.key.split("/", 1)[0])
        else:
            self.enqueue(cm.metadata.namespace)

    def reconcile(self, name: str) -> None:
        try:
            ns = self.namespaces.get(name)
        except NotFound:
            return  # gone: its ConfigMap goes with it
        if ns.metadata.deletion_timestamp is not None:
            return
        desired = {"namespace": name, "uid": ns.metadata.uid or ""}
        configmaps = self.cs.core_v1.config_maps(name)
        try:
            current = self.configmaps.namespace(name).get(CONFIGMAP)
        except NotFound:
            label_key, label_value = MANAGED_BY.split("=")
            try:
                configmaps.create(
                    {
                        "metadata": {"name": CONFIGMAP, "labels": {label_key: label_value}},
                        "data": desired,
                    }
                )
                say(f"created configmap {name}/{CONFIGMAP}")
            except AlreadyExists:
                pass  # our cache lags behind; its event will bring us back here
            return
        if current.data != desired:
            configmaps.patch(CONFIGMAP, {"data": {**desired}})
            say(f"repaired configmap {name}/{CONFIGMAP}")

    def _worker(self, stop: StopEvent) -> None:
        while not stop.is_set():
            try:
                key = self.queue.get()
            except QueueShutDown:
                return
            try:
                if stop.is_set():  # leadership ended while we waited: act no more
                    return
                self.reconcile(key)
                self.queue.forget(key)
            except KubesetError as e:
                log.warning("reconciling %s failed (%s); retrying", key, e)
                self.queue.add_rate_limited(key)
            finally:
                self.queue.done(key)

    def run(self, stop: StopEvent) -> None:
        """Run until ``stop`` is set (leadership lost or shutting down)."""
        self.ns_factory.start()
        self.cm_factory.start()
        while not (
            self.ns_factory.wait_for_cache_sync(1) and self.cm_factory.wait_for_cache_sync(1)
        ):
            if stop.is_set():
                break
        say("caches synced")
        threads = [
            threading.Thread(target=self._worker, args=(stop,), daemon=True)
            for _ in range(self.workers)
        ]
        for t in threads:
            t.start()
        stop.wait()
        self.queue.shut_down()  # no draining: another replica may be leading already
        for t in threads:
            t.join(30)
        say("workers stopped")
        self.ns_factory.shutdown()
        self.cm_factory.shutdown()
        self.finished.set()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--kubeconfig", help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)"
    )
    parser.add_argument("--context", help="kubeconfig context (default: the current one)")
    parser.add_argument("--namespace-selector", help="label selector of the namespaces to manage")
    parser.add_argument("--lease-namespace", default="default")
    parser.add_argument("--lease-name", default="kubeset-example-controller")
    parser.add_argument("--identity", default=f"{socket.gethostname()}-{os.getpid()}")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lease-duration", type=float, default=15.0)
    parser.add_argument("--renew-deadline", type=float, default=10.0)
    parser.add_argument("--retry-period", type=float, default=2.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    cs = Clientset(kubeset.load_kubeconfig(args.kubeconfig, args.context))
    controller = Controller(cs, args.namespace_selector, args.workers)
    lock = LeaseLock(
        cs.coordination_v1.leases(args.lease_namespace), args.lease_name, identity=args.identity
    )

    leading = threading.Event()

    def started(stop: StopEvent) -> None:
        leading.set()
        say(f"leading as {args.identity}")
        controller.run(stop)

    elector = LeaderElector(
        LeaderElectionConfig(
            lock=lock,
            callbacks=LeaderCallbacks(
                on_started_leading=started,
                on_stopped_leading=lambda: say("stopped leading"),
                on_new_leader=lambda who: say(f"leader is {who or '(none)'}"),
            ),
            lease_duration=args.lease_duration,
            renew_deadline=args.renew_deadline,
            retry_period=args.retry_period,
            release_on_cancel=True,
            name="kubeset-example-controller",
        )
    )

    stopping = threading.Event()

    def shutdown(*_: Any) -> None:
        stopping.set()
        elector.stop()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    elector.run()
    if leading.is_set():  # the token is set: let the controller stop its workers first
        controller.finished.wait(60)
    if stopping.is_set():
        return 0
    say("leadership lost; exiting")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
