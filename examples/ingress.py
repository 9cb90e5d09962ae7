"""Create, update, get, list, watch and delete an Ingress.

python examples/ingress.py --kubeconfig ~/.kube/config [--namespace default] [--name demo-ingress]
"""

from __future__ import annotations

from common import parse_args, print_events, retry_on_conflict
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.models.meta.v1 import ObjectMeta
from kubeset.kubernetes.models.networking.v1 import (
    HTTPIngressPath,
    HTTPIngressRuleValue,
    Ingress,
    IngressBackend,
    IngressRule,
    IngressServiceBackend,
    IngressSpec,
    ServiceBackendPort,
)


def backend(service: str, port: int) -> IngressBackend:
    return IngressBackend(
        service=IngressServiceBackend(name=service, port=ServiceBackendPort(number=port))
    )


def main() -> None:
    config, args = parse_args(__doc__.splitlines()[0], "demo-ingress")
    ingresses = Clientset(config).networking_v1.ingresses(args.namespace)

    ingress = Ingress(
        metadata=ObjectMeta(name=args.name, labels={"app": "demo"}),
        spec=IngressSpec(
            rules=[
                IngressRule(
                    host="demo.example.com",
                    http=HTTPIngressRuleValue(
                        paths=[
                            HTTPIngressPath(
                                path="/", path_type="Prefix", backend=backend("web", 80)
                            )
                        ]
                    ),
                )
            ]
        ),
    )
    created = ingresses.create(ingress)
    print(f"Created ingress {created.metadata.name!r} for host {created.spec.rules[0].host}")
    watch = ingresses.watch(
        name=args.name, resource_version=created.metadata.resource_version, timeout_seconds=60
    )

    def update() -> Ingress:
        current = ingresses.get(args.name)
        current.spec.rules[0].http.paths.append(
            HTTPIngressPath(path="/api", path_type="Prefix", backend=backend("api", 8080))
        )
        return ingresses.update(current)

    updated = retry_on_conflict(update)
    print("Updated ingress paths: " + ", ".join(p.path for p in updated.spec.rules[0].http.paths))

    got = ingresses.get(args.name)
    print(f"Got ingress {got.metadata.name!r} (generation {got.metadata.generation})")
    print(
        "Ingresses with app=demo: "
        + ", ".join(i.metadata.name for i in ingresses.list(label_selector="app=demo").items)
    )

    ingresses.delete(args.name)
    seen = print_events(watch)
    print(f"Deleted ingress (watch saw {', '.join(seen)}).")


if __name__ == "__main__":
    main()
