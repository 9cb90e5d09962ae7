"""Create, update, get, list, watch and delete a Pod (and server-side apply a label).

python examples/pod.py --kubeconfig ~/.kube/config [--namespace default] [--name demo-pod]
"""

from __future__ import annotations

from common import parse_args, print_events, retry_on_conflict
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.models.core.v1 import Container, Pod, PodSpec
from kubeset.kubernetes.models.meta.v1 import ObjectMeta


def main() -> None:
    config, args = parse_args(__doc__.splitlines()[0], "demo-pod")
    pods = Clientset(config).core_v1.pods(args.namespace)

    pod = Pod(
        metadata=ObjectMeta(name=args.name, labels={"app": "demo-pod"}),
        spec=PodSpec(
            containers=[Container(name="main", image="busybox:1.36", command=["sleep", "3600"])]
        ),
    )
    created = pods.create(pod)
    print(f"Created pod {created.metadata.name!r} (phase {created.status.phase})")
    watch = pods.watch(
        name=args.name, resource_version=created.metadata.resource_version, timeout_seconds=60
    )

    def update() -> Pod:
        current = pods.get(args.name)
        current.metadata.labels["tier"] = "backend"
        # only some pod fields may change; the container image is one of them
        current.spec.containers[0].image = "busybox:1.37"
        return pods.update(current)

    updated = retry_on_conflict(update)
    print(
        f"Updated pod: labels={updated.metadata.labels}, image={updated.spec.containers[0].image}"
    )

    applied = pods.apply(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": args.name, "labels": {"owner": "kubeset-example"}},
        },
        field_manager="kubeset-example",
    )
    print(f"Applied a label with server-side apply: {applied.metadata.labels}")

    print(
        "Pods with app=demo-pod: "
        + ", ".join(p.metadata.name for p in pods.list(label_selector="app=demo-pod").items)
    )

    pods.delete(args.name, grace_period_seconds=0)
    seen = print_events(watch)
    print(f"Deleted pod (watch saw {', '.join(seen)}).")


if __name__ == "__main__":
    main()
