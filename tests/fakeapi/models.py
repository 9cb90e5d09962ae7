"""Hand-written stand-ins for generated models (same conventions: snake_case attributes with
JSON-name aliases, every field optional, unknown fields kept, apiVersion/kind defaults)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class KM(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, serialize_by_alias=True)


class ObjectMeta(KM):
    name: str | None = None
    generate_name: str | None = Field(None, alias="generateName")
    namespace: str | None = None
    uid: str | None = None
    resource_version: str | None = Field(None, alias="resourceVersion")
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    finalizers: list[str] | None = None
    deletion_timestamp: str | None = Field(None, alias="deletionTimestamp")


class ListMeta(KM):
    resource_version: str | None = Field(None, alias="resourceVersion")
    continue_: str | None = Field(None, alias="continue")
    remaining_item_count: int | None = Field(None, alias="remainingItemCount")


def _kind(api_version: str, kind: str) -> dict[str, Any]:
    return {
        "api_version": (str | None, Field(api_version, alias="apiVersion")),
        "kind": (str | None, Field(kind)),
    }


class Pod(KM):
    api_version: str | None = Field("v1", alias="apiVersion")
    kind: str | None = "Pod"
    metadata: ObjectMeta | None = None
    spec: dict[str, Any] | None = None
    status: dict[str, Any] | None = None


class PodList(KM):
    api_version: str | None = Field("v1", alias="apiVersion")
    kind: str | None = "PodList"
    metadata: ListMeta | None = None
    items: list[Pod] | None = None


class ConfigMap(KM):
    api_version: str | None = Field("v1", alias="apiVersion")
    kind: str | None = "ConfigMap"
    metadata: ObjectMeta | None = None
    data: dict[str, str] | None = None


class ConfigMapList(KM):
    metadata: ListMeta | None = None
    items: list[ConfigMap] | None = None


class Deployment(KM):
    api_version: str | None = Field("apps/v1", alias="apiVersion")
    kind: str | None = "Deployment"
    metadata: ObjectMeta | None = None
    spec: dict[str, Any] | None = None
    status: dict[str, Any] | None = None


class DeploymentList(KM):
    metadata: ListMeta | None = None
    items: list[Deployment] | None = None


class ScaleSpec(KM):
    replicas: int | None = None


class ScaleStatus(KM):
    replicas: int | None = None
    selector: str | None = None


class Scale(KM):
    api_version: str | None = Field("autoscaling/v1", alias="apiVersion")
    kind: str | None = "Scale"
    metadata: ObjectMeta | None = None
    spec: ScaleSpec | None = None
    status: ScaleStatus | None = None


class Node(KM):
    api_version: str | None = Field("v1", alias="apiVersion")
    kind: str | None = "Node"
    metadata: ObjectMeta | None = None
    spec: dict[str, Any] | None = None
    status: dict[str, Any] | None = None


class NodeList(KM):
    metadata: ListMeta | None = None
    items: list[Node] | None = None


class Namespace(KM):
    api_version: str | None = Field("v1", alias="apiVersion")
    kind: str | None = "Namespace"
    metadata: ObjectMeta | None = None
    spec: dict[str, Any] | None = None
    status: dict[str, Any] | None = None


class NamespaceList(KM):
    metadata: ListMeta | None = None
    items: list[Namespace] | None = None


class Event(KM):
    api_version: str | None = Field("v1", alias="apiVersion")
    kind: str | None = "Event"
    metadata: ObjectMeta | None = None
    reason: str | None = None
    message: str | None = None
    involved_object: dict[str, Any] | None = Field(None, alias="involvedObject")


class EventList(KM):
    metadata: ListMeta | None = None
    items: list[Event] | None = None


class Lease(KM):
    api_version: str | None = Field("coordination.k8s.io/v1", alias="apiVersion")
    kind: str | None = "Lease"
    metadata: ObjectMeta | None = None
    spec: dict[str, Any] | None = None


class LeaseList(KM):
    metadata: ListMeta | None = None
    items: list[Lease] | None = None


class Widget(KM):
    """A CRD-shaped resource (example.com/v1, namespaced, status and scale subresources)."""

    api_version: str | None = Field("example.com/v1", alias="apiVersion")
    kind: str | None = "Widget"
    metadata: ObjectMeta | None = None
    spec: dict[str, Any] | None = None
    status: dict[str, Any] | None = None


class WidgetList(KM):
    metadata: ListMeta | None = None
    items: list[Widget] | None = None


class ServiceAccount(KM):
    api_version: str | None = Field("v1", alias="apiVersion")
    kind: str | None = "ServiceAccount"
    metadata: ObjectMeta | None = None


class ServiceAccountList(KM):
    metadata: ListMeta | None = None
    items: list[ServiceAccount] | None = None


class TokenRequest(KM):
    api_version: str | None = Field("authentication.k8s.io/v1", alias="apiVersion")
    kind: str | None = "TokenRequest"
    metadata: ObjectMeta | None = None
    spec: dict[str, Any] | None = None
    status: dict[str, Any] | None = None


class Eviction(KM):
    api_version: str | None = Field("policy/v1", alias="apiVersion")
    kind: str | None = "Eviction"
    metadata: ObjectMeta | None = None
    delete_options: dict[str, Any] | None = Field(None, alias="deleteOptions")


class Binding(KM):
    api_version: str | None = Field("v1", alias="apiVersion")
    kind: str | None = "Binding"
    metadata: ObjectMeta | None = None
    target: dict[str, Any] | None = None


class CertificateSigningRequest(KM):
    api_version: str | None = Field("certificates.k8s.io/v1", alias="apiVersion")
    kind: str | None = "CertificateSigningRequest"
    metadata: ObjectMeta | None = None
    spec: dict[str, Any] | None = None
    status: dict[str, Any] | None = None


class CertificateSigningRequestList(KM):
    metadata: ListMeta | None = None
    items: list[CertificateSigningRequest] | None = None
