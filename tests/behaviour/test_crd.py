"""A CustomResourceDefinition becomes a usable resource, with defaults and a status subresource."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from backends import Backend, eventually
from kubeset import errors
from kubeset.kubernetes.models.autoscaling.v1 import Scale
from kubeset.resource import (
    HasCreate,
    HasDelete,
    HasGet,
    HasList,
    HasPatch,
    HasScale,
    HasStatus,
    HasUpdate,
    ResourceDescriptor,
    ResourceInfo,
)
from kubeset.rest import PatchType
from pydantic import BaseModel, ConfigDict


class Widget(BaseModel):
    """A custom object as plain fields (no generated model)."""

    model_config = ConfigDict(extra="allow")


class Widgets(HasGet, HasList, HasCreate, HasUpdate, HasPatch, HasDelete, HasStatus, HasScale):
    __slots__ = ()


@pytest.fixture
def widgets(backend: Backend, ns: str) -> Iterator[Widgets]:
    group = f"b{uuid.uuid4().hex[:6]}.kubeset.io"
    crds = backend.cs.apiextensions_v1.custom_resource_definitions()
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "size": {"type": "integer", "default": 3},
                    "color": {"type": "string"},
                    "replicas": {"type": "integer"},
                },
            },
            "status": {
                "type": "object",
                "properties": {"ready": {"type": "boolean"}, "replicas": {"type": "integer"}},
            },
        },
    }
    crds.create(
        {
            "metadata": {"name": f"widgets.{group}"},
            "spec": {
                "group": group,
                "scope": "Namespaced",
                "names": {
                    "plural": "widgets",
                    "singular": "widget",
                    "kind": "Widget",
                    "listKind": "WidgetList",
                },
                "versions": [
                    {
                        "name": "v1",
                        "served": True,
                        "storage": True,
                        "schema": {"openAPIV3Schema": schema},
                        "subresources": {
                            "status": {},
                            "scale": {
                                "specReplicasPath": ".spec.replicas",
                                "statusReplicasPath": ".status.replicas",
                            },
                        },
                    }
                ],
            },
        }
    )
    info = ResourceInfo(
        group=group,
        version="v1",
        kind="Widget",
        plural="widgets",
        namespaced=True,
        verbs=frozenset({"get", "list", "create", "update", "patch", "delete"}),
        subresources=frozenset({"status", "scale"}),
    )
    client = backend.wrap(
        Widgets(
            backend.rest,
            ns,
            descriptor=ResourceDescriptor(
                info, model=Widget, list_model=Widget, subresource_models={"scale": Scale}
            ),
        )
    )

    def established() -> None:
        client.list()

    eventually(established)
    yield client
    crds.delete(f"widgets.{group}")


def test_crd_defaults_and_status_subresource(backend: Backend, widgets: Widgets) -> None:
    created = widgets.create(
        {
            "apiVersion": widgets.descriptor.info.api_version,
            "kind": "Widget",
            "metadata": {"name": "w"},
            "spec": {"color": "red"},
            "status": {"ready": True},
        }
    )
    data = created.model_dump(by_alias=True)
    assert data["spec"] == {"color": "red", "size": 3}
    assert "status" not in data and data["metadata"]["generation"] == 1
    data["metadata"]["labels"] = {"ignored": "yes"}  # a custom status write changes no metadata
    data["status"] = {"ready": True}
    data["spec"]["color"] = "blue"
    status = widgets.update_status(data).model_dump(by_alias=True)
    assert status["status"] == {"ready": True} and status["spec"]["color"] == "red"
    assert status["metadata"]["generation"] == 1 and "labels" not in status["metadata"]
    data = widgets.get("w").model_dump(by_alias=True)
    data["spec"]["color"] = "green"
    data["status"] = {"ready": False}
    updated = widgets.update(data).model_dump(by_alias=True)
    assert updated["spec"]["color"] == "green" and updated["status"] == {"ready": True}
    assert updated["metadata"]["generation"] == 2
    with pytest.raises(errors.UnsupportedMediaType):
        widgets.patch("w", {"spec": {"size": 1}}, patch_type=PatchType.STRATEGIC_MERGE)


def test_crd_scale_subresource(backend: Backend, widgets: Widgets) -> None:
    widgets.create(
        {
            "apiVersion": widgets.descriptor.info.api_version,
            "kind": "Widget",
            "metadata": {"name": "s"},
            "spec": {"replicas": 2},
        }
    )
    scale = widgets.get_scale("s")
    assert scale.spec.replicas == 2 and scale.status.replicas == 0
    scale.spec.replicas = 5
    assert widgets.update_scale("s", scale).spec.replicas == 5
    after = widgets.get("s").model_dump(by_alias=True)
    assert after["spec"]["replicas"] == 5 and after["metadata"]["generation"] == 2
