"""Kinds the API serves but no OpenAPI spec defines, declared in codegen/supplement.json from the Go
types: aggregated discovery (apidiscovery.k8s.io/v2), admission webhooks (admission.k8s.io/v1) and
exec credential plugins (client.authentication.k8s.io v1 and v1beta1).

Each example sets every field of the Go type (k8s.io/api, k8s.io/client-go as of 1.36), so a field
the supplement forgot would land in a model's extras and fail ``_undeclared``."""

from __future__ import annotations

import json
from typing import Any

import kubeset
import pytest
from kubeset.codegen.supplement import add_supplement, supplement_definitions
from kubeset.kubernetes import scheme
from pydantic import BaseModel

GVK = {"group": "apps", "version": "v1", "kind": "Deployment"}

DISCOVERY: dict[str, Any] = {
    "apiVersion": "apidiscovery.k8s.io/v2",
    "kind": "APIGroupDiscoveryList",
    "metadata": {"resourceVersion": "7"},
    "items": [
        {
            "apiVersion": "apidiscovery.k8s.io/v2",
            "kind": "APIGroupDiscovery",
            "metadata": {"name": "apps", "creationTimestamp": None},
            "versions": [
                {
                    "version": "v1",
                    "freshness": "Current",
                    "resources": [
                        {
                            "resource": "deployments",
                            "responseKind": GVK,
                            "scope": "Namespaced",
                            "singularResource": "deployment",
                            "verbs": [
                                "create",
                                "delete",
                                "get",
                                "list",
                                "patch",
                                "update",
                                "watch",
                            ],
                            "shortNames": ["deploy"],
                            "categories": ["all"],
                            "subresources": [
                                {
                                    "subresource": "scale",
                                    "responseKind": {
                                        "group": "autoscaling",
                                        "version": "v1",
                                        "kind": "Scale",
                                    },
                                    "acceptedTypes": [
                                        {"group": "autoscaling", "version": "v1", "kind": "Scale"}
                                    ],
                                    "verbs": ["get", "patch", "update"],
                                }
                            ],
                        }
                    ],
                }
            ],
        }
    ],
}

ADMISSION: dict[str, Any] = {
    "apiVersion": "admission.k8s.io/v1",
    "kind": "AdmissionReview",
    "request": {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "kind": GVK,
        "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
        "subResource": "scale",
        "requestKind": {"group": "apps", "version": "v1beta1", "kind": "Deployment"},
        "requestResource": {"group": "apps", "version": "v1beta1", "resource": "deployments"},
        "requestSubResource": "scale",
        "name": "web",
        "namespace": "default",
        "operation": "UPDATE",
        "userInfo": {
            "username": "admin",
            "uid": "1",
            "groups": ["system:masters"],
            "extra": {"scope": ["a", "b"]},
        },
        "object": {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {"replicas": 2},
        },
        "oldObject": {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {"replicas": 1},
        },
        "dryRun": False,
        "options": {
            "apiVersion": "meta.k8s.io/v1",
            "kind": "UpdateOptions",
            "fieldManager": "kubectl",
        },
    },
    "response": {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "allowed": False,
        "status": {"code": 403, "message": "replicas must be odd", "reason": "Forbidden"},
        "patch": "W3sib3AiOiAiYWRkIiwgInBhdGgiOiAiL3NwZWMvcmVwbGljYXMiLCAidmFsdWUiOiAzfV0=",
        "patchType": "JSONPatch",
        "auditAnnotations": {"policy": "odd-replicas"},
        "warnings": ["replicas changed"],
    },
}


def _exec_credential(version: str) -> dict[str, Any]:
    return {
        "apiVersion": f"client.authentication.k8s.io/{version}",
        "kind": "ExecCredential",
        "spec": {
            "cluster": {
                "server": "https://127.0.0.1:6443",
                "tls-server-name": "kubernetes",
                "insecure-skip-tls-verify": False,
                "certificate-authority-data": "LS0tLS1CRUdJTi0tLS0t",
                "proxy-url": "http://127.0.0.1:3128",
                "disable-compression": True,
                "config": {"audience": "kubeset-test"},
            },
            "interactive": False,
        },
        "status": {
            "expirationTimestamp": "2030-01-01T00:00:00Z",
            "token": "example-token-value",
            "clientCertificateData": "-----BEGIN CERTIFICATE-----",
            "clientKeyData": "-----BEGIN PRIVATE KEY-----",
        },
    }


def _undeclared(obj: Any, path: str = "$") -> list[str]:
    """JSON paths that decoded into a model's extras (no declared field took them)."""
    found: list[str] = []
    if isinstance(obj, BaseModel):
        found += [f"{path}.{k}" for k in obj.__pydantic_extra__ or {}]
        for name in type(obj).model_fields:
            found += _undeclared(getattr(obj, name), f"{path}.{name}")
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            found += _undeclared(item, f"{path}[{i}]")
    return found


EXAMPLES = {
    "APIGroupDiscoveryList": DISCOVERY,
    "AdmissionReview": ADMISSION,
    "ExecCredential/v1": _exec_credential("v1"),
    "ExecCredential/v1beta1": _exec_credential("v1beta1"),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_round_trips_exactly_with_every_field_declared(name: str) -> None:
    original = EXAMPLES[name]
    raw = json.dumps(original).encode()
    for data in (raw, original):
        obj = scheme.decode(data)
        assert type(obj).__name__ == original["kind"]
        assert kubeset.to_dict(obj) == original
        assert json.loads(kubeset.to_json(obj)) == original
    assert _undeclared(obj) == []


def test_discovery_models_are_typed() -> None:
    from kubeset.kubernetes.models.apidiscovery.v2 import APIGroupDiscovery, APIGroupDiscoveryList
    from kubeset.kubernetes.models.meta.v1 import GroupVersionKind

    obj = scheme.decode(json.dumps(DISCOVERY))
    assert isinstance(obj, APIGroupDiscoveryList)
    group = obj.items[0]  # type: ignore[index]
    assert (
        isinstance(group, APIGroupDiscovery)
        and group.metadata is not None
        and group.metadata.name == "apps"
    )
    resource = group.versions[0].resources[0]  # type: ignore[index]
    assert resource.singular_resource == "deployment" and resource.short_names == ["deploy"]
    assert resource.response_kind == GroupVersionKind(group="apps", version="v1", kind="Deployment")
    assert resource.subresources[0].accepted_types[0].kind == "Scale"  # type: ignore[index]
    assert scheme.model_for("apidiscovery.k8s.io/v2", "APIGroupDiscovery") is APIGroupDiscovery


def test_admission_review_is_typed_and_answers_build() -> None:
    from kubeset.kubernetes.models.admission.v1 import AdmissionResponse, AdmissionReview

    review = scheme.decode(json.dumps(ADMISSION))
    assert isinstance(review, AdmissionReview) and review.request is not None
    assert review.request.user_info is not None and review.request.user_info.groups == [
        "system:masters"
    ]
    assert (
        review.request.request_kind is not None and review.request.request_kind.version == "v1beta1"
    )
    assert (
        review.response is not None
        and review.response.patch == b'[{"op": "add", "path": "/spec/replicas", "value": 3}]'
    )
    # what a webhook sends back
    answer = AdmissionReview(response=AdmissionResponse(uid=review.request.uid, allowed=True))
    assert scheme.gvk_of(answer) == ("admission.k8s.io/v1", "AdmissionReview")
    assert kubeset.to_dict(answer)["response"] == {
        "uid": ADMISSION["request"]["uid"],
        "allowed": True,
    }


def test_exec_credential_versions_are_distinct_models() -> None:
    from kubeset.kubernetes.models.clientauthentication import v1, v1beta1

    for module, version in ((v1, "v1"), (v1beta1, "v1beta1")):
        cred = scheme.decode(_exec_credential(version))
        assert type(cred) is module.ExecCredential
        assert cred.status is not None and cred.status.token == "example-token-value"
        assert cred.spec is not None and cred.spec.cluster is not None
        assert cred.spec.cluster.certificate_authority_data == b"-----BEGIN-----"
        assert cred.spec.cluster.tls_server_name == "kubernetes"


def test_new_packages_need_their_anchor() -> None:
    """A package no spec has is added only when the spec defines the anchor (a Kubernetes API spec);
    a CRD-only spec, whose meta types are external, gains nothing."""
    supplement = supplement_definitions()
    anchored = {n for n, d in supplement.items() if "x-kubeset-when-spec-has" in d}
    assert {n.rsplit(".", 1)[0] for n in anchored} == {
        "io.k8s.api.apidiscovery.v2",
        "io.k8s.api.admission.v1",
        "io.k8s.client-go.pkg.apis.clientauthentication.v1",
        "io.k8s.client-go.pkg.apis.clientauthentication.v1beta1",
    }
    meta = "io.k8s.apimachinery.pkg.apis.meta.v1."
    obj = {"type": "object", "properties": {"a": {"type": "string"}}}
    external = {
        "type": "object",
        "x-kubeset-python-type": "kubeset.kubernetes.models.meta.v1.ObjectMeta",
    }
    crd_only = {
        meta + "ObjectMeta": external,
        meta + "ListMeta": external,
        "io.example.v1.Widget": obj,
    }
    assert add_supplement(crd_only, {}) == crd_only
    # with the anchor and what the discovery types refer to, discovery comes in (GroupVersionKind too)
    spec = {meta + n: obj for n in ("APIGroupList", "ObjectMeta", "ListMeta")}
    out = add_supplement(spec, {})
    assert (
        "io.k8s.api.apidiscovery.v2.APIGroupDiscoveryList" in out
        and meta + "GroupVersionKind" in out
    )
    assert not any(k.startswith("x-kubeset") for d in out.values() for k in d)
    # admission refers to Status, UserInfo and RawExtension: without them it stays out
    assert "io.k8s.api.admission.v1.AdmissionReview" not in add_supplement(
        {**spec, "io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration": obj}, {}
    )


def test_exec_credential_secrets_stay_out_of_reprs() -> None:
    """The token and the private key are declared secret: kept and sent, never shown by repr()."""
    for version in ("v1", "v1beta1"):
        cred = scheme.decode(_exec_credential(version))
        for text in (repr(cred), str(cred), repr(cred.status)):  # type: ignore[attr-defined]
            assert "example-token-value" not in text and "PRIVATE KEY" not in text
            assert "-----BEGIN CERTIFICATE-----" in text  # the rest is shown as usual
        assert kubeset.to_dict(cred)["status"]["token"] == "example-token-value"
