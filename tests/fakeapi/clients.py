"""Typed clients written by hand in exactly the shape the generator emits (declarations only)."""

from __future__ import annotations

from kubeset.resource import (
    ClientsetBase,
    GroupVersionClient,
    HasApply,
    HasApproval,
    HasBinding,
    HasCreate,
    HasDelete,
    HasDeleteCollection,
    HasEphemeralContainers,
    HasEviction,
    HasFinalize,
    HasGet,
    HasList,
    HasLog,
    HasPatch,
    HasResize,
    HasScale,
    HasStatus,
    HasToken,
    HasUpdate,
    HasWatch,
    LazyGroup,
    ResourceDescriptor,
    ResourceInfo,
)

from .models import (
    Binding,
    CertificateSigningRequest,
    CertificateSigningRequestList,
    ConfigMap,
    ConfigMapList,
    Deployment,
    DeploymentList,
    Event,
    EventList,
    Eviction,
    Lease,
    LeaseList,
    Namespace,
    NamespaceList,
    Node,
    NodeList,
    Pod,
    PodList,
    Scale,
    ServiceAccount,
    ServiceAccountList,
    TokenRequest,
    Widget,
    WidgetList,
)

_ALL = frozenset(
    {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
)


class PodsClient(
    HasGet[Pod],
    HasList[PodList],
    HasWatch[Pod],
    HasCreate[Pod],
    HasUpdate[Pod],
    HasPatch[Pod],
    HasApply[Pod],
    HasDelete[Pod],
    HasDeleteCollection,
    HasStatus[Pod],
    HasEviction[Eviction],
    HasBinding[Binding],
    HasEphemeralContainers[Pod],
    HasResize[Pod],
    HasLog,
):
    DESCRIPTOR = ResourceDescriptor(
        ResourceInfo(
            "",
            "v1",
            "Pod",
            "pods",
            True,
            _ALL,
            frozenset({"status", "eviction", "binding", "ephemeralcontainers", "resize", "log"}),
            "PodList",
        ),
        model=Pod,
        list_model=PodList,
        subresource_models={"eviction": Eviction, "binding": Binding},
    )


class ConfigMapsClient(
    HasGet[ConfigMap],
    HasList[ConfigMapList],
    HasWatch[ConfigMap],
    HasCreate[ConfigMap],
    HasUpdate[ConfigMap],
    HasPatch[ConfigMap],
    HasApply[ConfigMap],
    HasDelete[ConfigMap],
    HasDeleteCollection,
):
    DESCRIPTOR = ResourceDescriptor(
        ResourceInfo("", "v1", "ConfigMap", "configmaps", True, _ALL, frozenset(), "ConfigMapList"),
        model=ConfigMap,
        list_model=ConfigMapList,
    )


class NodesClient(
    HasGet[Node],
    HasList[NodeList],
    HasWatch[Node],
    HasCreate[Node],
    HasUpdate[Node],
    HasPatch[Node],
    HasApply[Node],
    HasDelete[Node],
    HasDeleteCollection,
    HasStatus[Node],
):
    DESCRIPTOR = ResourceDescriptor(
        ResourceInfo("", "v1", "Node", "nodes", False, _ALL, frozenset({"status"}), "NodeList"),
        model=Node,
        list_model=NodeList,
    )


class NamespacesClient(
    HasGet[Namespace],
    HasList[NamespaceList],
    HasWatch[Namespace],
    HasCreate[Namespace],
    HasUpdate[Namespace],
    HasPatch[Namespace],
    HasApply[Namespace],
    HasDelete[Namespace],
    HasStatus[Namespace],
    HasFinalize[Namespace],
):
    DESCRIPTOR = ResourceDescriptor(
        ResourceInfo(
            "",
            "v1",
            "Namespace",
            "namespaces",
            False,
            _ALL - {"deletecollection"},
            frozenset({"status", "finalize"}),
            "NamespaceList",
        ),
        model=Namespace,
        list_model=NamespaceList,
    )


class EventsClient(
    HasGet[Event],
    HasList[EventList],
    HasWatch[Event],
    HasCreate[Event],
    HasUpdate[Event],
    HasPatch[Event],
    HasApply[Event],
    HasDelete[Event],
    HasDeleteCollection,
):
    DESCRIPTOR = ResourceDescriptor(
        ResourceInfo("", "v1", "Event", "events", True, _ALL, frozenset(), "EventList"),
        model=Event,
        list_model=EventList,
    )


class ServiceAccountsClient(
    HasGet[ServiceAccount],
    HasList[ServiceAccountList],
    HasCreate[ServiceAccount],
    HasDelete[ServiceAccount],
    HasToken[TokenRequest],
):
    DESCRIPTOR = ResourceDescriptor(
        ResourceInfo(
            "",
            "v1",
            "ServiceAccount",
            "serviceaccounts",
            True,
            _ALL,
            frozenset({"token"}),
            "ServiceAccountList",
        ),
        model=ServiceAccount,
        list_model=ServiceAccountList,
        subresource_models={"token": TokenRequest},
    )


class CoreV1Client(GroupVersionClient):
    group = ""
    version = "v1"

    def pods(self, namespace: str = "") -> PodsClient:
        return PodsClient(self.rest, namespace)

    def config_maps(self, namespace: str = "") -> ConfigMapsClient:
        return ConfigMapsClient(self.rest, namespace)

    def events(self, namespace: str = "") -> EventsClient:
        return EventsClient(self.rest, namespace)

    def service_accounts(self, namespace: str = "") -> ServiceAccountsClient:
        return ServiceAccountsClient(self.rest, namespace)

    def nodes(self) -> NodesClient:
        return NodesClient(self.rest)

    def namespaces(self) -> NamespacesClient:
        return NamespacesClient(self.rest)


class DeploymentsClient(
    HasGet[Deployment],
    HasList[DeploymentList],
    HasWatch[Deployment],
    HasCreate[Deployment],
    HasUpdate[Deployment],
    HasPatch[Deployment],
    HasApply[Deployment],
    HasDelete[Deployment],
    HasDeleteCollection,
    HasStatus[Deployment],
    HasScale[Scale],
):
    DESCRIPTOR = ResourceDescriptor(
        ResourceInfo(
            "apps",
            "v1",
            "Deployment",
            "deployments",
            True,
            _ALL,
            frozenset({"status", "scale"}),
            "DeploymentList",
        ),
        model=Deployment,
        list_model=DeploymentList,
        subresource_models={"scale": Scale},
    )


class AppsV1Client(GroupVersionClient):
    group = "apps"
    version = "v1"

    def deployments(self, namespace: str = "") -> DeploymentsClient:
        return DeploymentsClient(self.rest, namespace)


class LeasesClient(
    HasGet[Lease],
    HasList[LeaseList],
    HasWatch[Lease],
    HasCreate[Lease],
    HasUpdate[Lease],
    HasPatch[Lease],
    HasApply[Lease],
    HasDelete[Lease],
    HasDeleteCollection,
):
    DESCRIPTOR = ResourceDescriptor(
        ResourceInfo(
            "coordination.k8s.io", "v1", "Lease", "leases", True, _ALL, frozenset(), "LeaseList"
        ),
        model=Lease,
        list_model=LeaseList,
    )


class CoordinationV1Client(GroupVersionClient):
    group = "coordination.k8s.io"
    version = "v1"

    def leases(self, namespace: str = "") -> LeasesClient:
        return LeasesClient(self.rest, namespace)


class CertificateSigningRequestsClient(
    HasGet[CertificateSigningRequest],
    HasList[CertificateSigningRequestList],
    HasCreate[CertificateSigningRequest],
    HasDelete[CertificateSigningRequest],
    HasApproval[CertificateSigningRequest],
    HasStatus[CertificateSigningRequest],
):
    DESCRIPTOR = ResourceDescriptor(
        ResourceInfo(
            "certificates.k8s.io",
            "v1",
            "CertificateSigningRequest",
            "certificatesigningrequests",
            False,
            _ALL,
            frozenset({"approval", "status"}),
            "CertificateSigningRequestList",
        ),
        model=CertificateSigningRequest,
        list_model=CertificateSigningRequestList,
    )


class CertificatesV1Client(GroupVersionClient):
    group = "certificates.k8s.io"
    version = "v1"

    def certificate_signing_requests(self) -> CertificateSigningRequestsClient:
        return CertificateSigningRequestsClient(self.rest)


class WidgetsClient(
    HasGet[Widget],
    HasList[WidgetList],
    HasWatch[Widget],
    HasCreate[Widget],
    HasUpdate[Widget],
    HasPatch[Widget],
    HasApply[Widget],
    HasDelete[Widget],
    HasDeleteCollection,
    HasStatus[Widget],
    HasScale[Scale],
):
    DESCRIPTOR = ResourceDescriptor(
        ResourceInfo(
            "example.com",
            "v1",
            "Widget",
            "widgets",
            True,
            _ALL,
            frozenset({"status", "scale"}),
            "WidgetList",
        ),
        model=Widget,
        list_model=WidgetList,
        subresource_models={"scale": Scale},
    )


class ExampleV1Client(GroupVersionClient):
    group = "example.com"
    version = "v1"

    def widgets(self, namespace: str = "") -> WidgetsClient:
        return WidgetsClient(self.rest, namespace)


class Clientset(ClientsetBase):
    core_v1: LazyGroup[CoreV1Client] = LazyGroup(__name__, "CoreV1Client")
    apps_v1: LazyGroup[AppsV1Client] = LazyGroup(__name__, "AppsV1Client")
    coordination_v1: LazyGroup[CoordinationV1Client] = LazyGroup(__name__, "CoordinationV1Client")
    certificates_v1: LazyGroup[CertificatesV1Client] = LazyGroup(__name__, "CertificatesV1Client")
    example_v1: LazyGroup[ExampleV1Client] = LazyGroup(__name__, "ExampleV1Client")
