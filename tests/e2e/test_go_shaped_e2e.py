"""Go-shaped models against the real kube-apiserver (issue 16): objects built and changed without
None checks are written as meant, and objects read from the server stay byte-for-byte what the
server sent however many absent fields were read."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import kubeset
import pytest
from kube_apiserver import ApiServer
from kubeset.kubernetes import Clientset
from kubeset.kubernetes.models.apps.v1 import Deployment
from kubeset.kubernetes.models.core.v1 import ConfigMap, Container, EnvVar
from pydantic import BaseModel

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def cs(apiserver: ApiServer) -> Iterator[Clientset]:
    with Clientset(kubeset.load_kubeconfig(apiserver.kubeconfig)) as clientset:
        yield clientset


def _touch(obj: Any) -> None:
    """Read every field of a model tree: every absent Go-shaped value gets created."""
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            _touch(getattr(obj, name))
    elif isinstance(obj, (list, dict)):
        for item in obj.values() if isinstance(obj, dict) else obj:
            _touch(item)


def test_a_deployment_built_without_none_checks(cs: Clientset) -> None:
    name = f"go-shaped-{uuid.uuid4().hex[:6]}"
    dep = Deployment()
    dep.metadata.name = name
    dep.metadata.labels["app"] = name
    dep.spec.selector.match_labels["app"] = name  # a required object, read as empty
    dep.spec.template.metadata.labels["app"] = name
    dep.spec.template.spec.containers.append(Container(name="c", image="nginx"))
    dep.metadata.annotations["scratch"] = "x"
    del dep.metadata.annotations["scratch"]  # added and removed: not sent at all
    deployments = cs.apps_v1.deployments("default")
    created = deployments.create(dep)
    try:
        assert created.spec.template.spec.containers[0].image == "nginx"
        assert created.metadata.labels == {"app": name}
        assert "annotations" not in created.metadata.model_fields_set
        got = deployments.get(name)
        got.spec.template.spec.containers[0].env.append(EnvVar(name="MODE", value="e2e"))
        got.metadata.annotations["owner"] = "kubeset"  # a map absent on the server
        updated = deployments.update(got)
        assert updated.metadata.annotations == {"owner": "kubeset"}
        assert [(e.name, e.value) for e in updated.spec.template.spec.containers[0].env] == [
            ("MODE", "e2e")
        ]
    finally:
        deployments.delete(name)


def test_objects_read_from_the_server_are_written_back_unchanged(cs: Clientset) -> None:
    name = f"go-shaped-{uuid.uuid4().hex[:6]}"
    config_maps = cs.core_v1.config_maps("default")
    config_maps.create(ConfigMap(metadata={"name": name}, data={"k": "v"}))
    try:
        got = config_maps.get(name)
        before = kubeset.to_json(got)
        _touch(got)  # labels, annotations, finalizers, owner references, binary data, ...
        assert kubeset.to_json(got) == before
        got.metadata.labels["added"] = "yes"
        updated = config_maps.update(got)
        assert updated.metadata.labels == {"added": "yes"} and updated.data == {"k": "v"}
        assert updated.binary_data == {} and "binary_data" not in updated.model_fields_set
        listed = config_maps.list(field_selector=f"metadata.name={name}")
        assert [c.metadata.name for c in listed.items] == [name]
    finally:
        config_maps.delete(name)
