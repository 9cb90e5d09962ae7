"""Create, update, get, list, watch and delete a Service.

python examples/service.py --kubeconfig ~/.kube/config [--namespace default] [--name demo-service]
"""

from __future__ import annotations

from common import parse_args, print_events, retry_on_conflict
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.models.core.v1 import Service, ServicePort, ServiceSpec
from kubeset.kubernetes.models.meta.v1 import ObjectMeta


def main() -> None:
    config, args = parse_args(__doc__.splitlines()[0], "demo-service")
    services = Clientset(config).core_v1.services(args.namespace)

    service = Service(
        metadata=ObjectMeta(name=args.name, labels={"app": "demo"}),
        spec=ServiceSpec(
            selector={"app": "demo"}, ports=[ServicePort(name="http", port=80, target_port=8080)]
        ),
    )
    created = services.create(service)
    print(f"Created service {created.metadata.name!r} with cluster IP {created.spec.cluster_ip}")
    watch = services.watch(
        name=args.name, resource_version=created.metadata.resource_version, timeout_seconds=60
    )

    def update() -> Service:
        current = services.get(args.name)
        current.spec.ports.append(ServicePort(name="https", port=443, target_port="https"))
        return services.update(current)

    updated = retry_on_conflict(update)
    print(
        "Updated service ports: "
        + ", ".join(f"{p.name}={p.port}->{p.target_port}" for p in updated.spec.ports)
    )

    got = services.get(args.name)
    print(f"Got service {got.metadata.name!r}: type {got.spec.type}, selector {got.spec.selector}")
    print(
        "Services with app=demo: "
        + ", ".join(s.metadata.name for s in services.list(label_selector="app=demo").items)
    )

    services.delete(args.name)
    seen = print_events(watch)
    print(f"Deleted service (watch saw {', '.join(seen)}).")


if __name__ == "__main__":
    main()
