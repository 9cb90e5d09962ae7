"""Create, update (and scale), get, list, watch and delete a ReplicaSet.

python examples/replicaset.py --kubeconfig ~/.kube/config [--namespace default] [--name demo-replicaset]
"""

from __future__ import annotations

from common import parse_args, print_events, retry_on_conflict
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.models.apps.v1 import ReplicaSet, ReplicaSetSpec
from kubeset.kubernetes.models.core.v1 import Container, PodSpec, PodTemplateSpec
from kubeset.kubernetes.models.meta.v1 import LabelSelector, ObjectMeta
from kubeset.rest import PatchType


def main() -> None:
    config, args = parse_args(__doc__.splitlines()[0], "demo-replicaset")
    replicasets = Clientset(config).apps_v1.replica_sets(args.namespace)
    labels = {"app": "demo-rs"}

    rs = ReplicaSet(
        metadata=ObjectMeta(name=args.name, labels=labels),
        spec=ReplicaSetSpec(
            replicas=1,
            selector=LabelSelector(match_labels=labels),
            template=PodTemplateSpec(
                metadata=ObjectMeta(labels=labels),
                spec=PodSpec(containers=[Container(name="app", image="busybox:1.36")]),
            ),
        ),
    )
    created = replicasets.create(rs)
    print(f"Created replicaset {created.metadata.name!r} with {created.spec.replicas} replica(s)")
    watch = replicasets.watch(
        name=args.name, resource_version=created.metadata.resource_version, timeout_seconds=60
    )

    def update() -> ReplicaSet:
        current = replicasets.get(args.name)
        current.metadata.annotations = {"example.com/owner": "kubeset"}
        return replicasets.update(current)

    updated = retry_on_conflict(update)
    print(f"Updated replicaset annotations: {updated.metadata.annotations}")

    patched = replicasets.patch(
        args.name, {"spec": {"replicas": 3}}, patch_type=PatchType.STRATEGIC_MERGE
    )
    print(
        f"Patched replicas to {patched.spec.replicas}; scale subresource says {replicasets.get_scale(args.name).spec.replicas}"
    )

    print(
        "ReplicaSets: "
        + ", ".join(r.metadata.name for r in replicasets.list(label_selector="app=demo-rs").items)
    )

    replicasets.delete(args.name, propagation_policy="Background")
    seen = print_events(watch)
    print(f"Deleted replicaset (watch saw {', '.join(seen)}).")


if __name__ == "__main__":
    main()
