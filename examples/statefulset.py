"""Create, update, get, list, watch and delete a StatefulSet (with its headless Service).

python examples/statefulset.py --kubeconfig ~/.kube/config [--namespace default] [--name demo-statefulset]
"""

from __future__ import annotations

from common import parse_args, print_events, retry_on_conflict
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.models.apps.v1 import StatefulSet, StatefulSetSpec
from kubeset.kubernetes.models.core.v1 import (
    Container,
    PodSpec,
    PodTemplateSpec,
    Service,
    ServicePort,
    ServiceSpec,
)
from kubeset.kubernetes.models.meta.v1 import LabelSelector, ObjectMeta


def main() -> None:
    config, args = parse_args(__doc__.splitlines()[0], "demo-statefulset")
    cs = Clientset(config)
    statefulsets = cs.apps_v1.stateful_sets(args.namespace)
    services = cs.core_v1.services(args.namespace)
    labels = {"app": "demo-sts"}

    services.create(
        Service(
            metadata=ObjectMeta(name=args.name),
            spec=ServiceSpec(cluster_ip="None", selector=labels, ports=[ServicePort(port=5432)]),
        )
    )
    sts = StatefulSet(
        metadata=ObjectMeta(name=args.name, labels=labels),
        spec=StatefulSetSpec(
            service_name=args.name,
            replicas=1,
            selector=LabelSelector(match_labels=labels),
            template=PodTemplateSpec(
                metadata=ObjectMeta(labels=labels),
                spec=PodSpec(containers=[Container(name="db", image="postgres:17")]),
            ),
        ),
    )
    created = statefulsets.create(sts)
    print(f"Created statefulset {created.metadata.name!r} (service {created.spec.service_name})")
    watch = statefulsets.watch(
        name=args.name, resource_version=created.metadata.resource_version, timeout_seconds=60
    )

    def update() -> StatefulSet:
        current = statefulsets.get(args.name)
        current.spec.replicas = 3
        current.spec.template.spec.containers[0].image = "postgres:17.2"
        return statefulsets.update(current)

    updated = retry_on_conflict(update)
    print(
        f"Updated statefulset: replicas={updated.spec.replicas}, image={updated.spec.template.spec.containers[0].image}"
    )

    got = statefulsets.get(args.name)
    print(f"Got statefulset {got.metadata.name!r} (generation {got.metadata.generation})")
    print(
        "StatefulSets: "
        + ", ".join(s.metadata.name for s in statefulsets.list(label_selector="app=demo-sts").items)
    )

    statefulsets.delete(args.name)
    services.delete(args.name)
    seen = print_events(watch)
    print(f"Deleted statefulset (watch saw {', '.join(seen)}).")


if __name__ == "__main__":
    main()
