"""Create, update, get, list, watch and delete a Deployment (client-go's
create-update-delete-deployment example, in kubeset).

    python examples/deployment.py --kubeconfig ~/.kube/config [--namespace default] [--name demo-deployment]
"""

from __future__ import annotations

from common import parse_args, print_events, retry_on_conflict
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.models.apps.v1 import Deployment, DeploymentSpec
from kubeset.kubernetes.models.core.v1 import Container, ContainerPort, PodSpec, PodTemplateSpec
from kubeset.kubernetes.models.meta.v1 import LabelSelector, ObjectMeta


def main() -> None:
    config, args = parse_args(__doc__.splitlines()[0], "demo-deployment")
    cs = Clientset(config)
    deployments = cs.apps_v1.deployments(args.namespace)
    labels = {"app": "demo"}

    deployment = Deployment(
        metadata=ObjectMeta(name=args.name, labels=labels),
        spec=DeploymentSpec(
            replicas=2,
            selector=LabelSelector(match_labels=labels),
            template=PodTemplateSpec(
                metadata=ObjectMeta(labels=labels),
                spec=PodSpec(
                    containers=[
                        Container(
                            name="web",
                            image="nginx:1.27",
                            ports=[ContainerPort(name="http", container_port=80)],
                        )
                    ]
                ),
            ),
        ),
    )
    print("Creating deployment...")
    created = deployments.create(deployment)
    print(
        f"Created deployment {created.metadata.name!r} (resourceVersion {created.metadata.resource_version})"
    )
    watch = deployments.watch(
        name=args.name, resource_version=created.metadata.resource_version, timeout_seconds=60
    )

    print("Updating deployment...")

    def update() -> Deployment:
        # re-read on every attempt: a Conflict means someone else changed it in between
        current = deployments.get(args.name)
        current.spec.replicas = 1
        current.spec.template.spec.containers[0].image = "nginx:1.28"
        return deployments.update(current)

    updated = retry_on_conflict(update)
    print(
        f"Updated deployment: replicas={updated.spec.replicas}, image={updated.spec.template.spec.containers[0].image}"
    )

    scale = deployments.get_scale(args.name)
    print(f"Scale subresource: replicas={scale.spec.replicas}")

    print(f"Listing deployments in namespace {args.namespace!r}:")
    for d in deployments.list(label_selector="app=demo").items:
        print(f" * {d.metadata.name} ({d.spec.replicas} replicas)")

    print("Deleting deployment...")
    deployments.delete(args.name, propagation_policy="Foreground")
    seen = print_events(watch)
    print(f"Deleted deployment (watch saw {', '.join(seen)}).")


if __name__ == "__main__":
    main()
