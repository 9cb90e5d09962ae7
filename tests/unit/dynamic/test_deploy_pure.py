"""The pure decisions of the deploy tools: ApplySet ids and parent records, readiness
judgements, diff masking and comparison (no server)."""

from __future__ import annotations

import argparse
import asyncio

import pytest
from kubeset.__main__ import parse_duration
from kubeset.discovery import CachedDiscoveryClient, DiscoveryClient
from kubeset.discovery.restmapper import RESTMapper, RESTMapping
from kubeset.dynamic.applyset import (
    GROUP_KINDS_ANNOTATION,
    GROUP_RESOURCES_ANNOTATION,
    ID_LABEL,
    NAMESPACES_ANNOTATION,
    PART_OF_LABEL,
    TOOLING_ANNOTATION,
    ApplySetParent,
    GroupKind,
    applyset_id,
    parent_patch,
    parse_parent_ref,
    read_state,
    read_state_steps,
    with_member_label,
)
from kubeset.dynamic.diff import LAST_APPLIED, comparable, mask_secrets, unified_diff
from kubeset.dynamic.wait import WaitCondition, judge, parse_condition
from kubeset.errors import ApplySetError
from kubeset.steps import arun

from .fake import FakeDiscovery, Res, standard

SECRET = RESTMapping("", "v1", "Secret", "secrets", True)
PLAN = RESTMapping("deploy.example.com", "v1", "Plan", "plans", False)


# -- ApplySet ------------------------------------------------------------------------
def test_id_matches_an_independent_sha256_base64url() -> None:
    # vectors from: printf 'web.ns1.Secret.' | openssl dgst -sha256 -binary | openssl base64 -A
    #               | tr -d '=' | tr '/+' '_-'
    assert (
        applyset_id(name="web", namespace="ns1", kind="Secret", group="")
        == "applyset-fASI7ye9SKqJsKv6KAme41HAbUEY7iw39ecRVdUAb_g-v1"
    )
    assert (
        applyset_id(name="prod", namespace="", kind="Plan", group="deploy.example.com")
        == "applyset-_m4pypIqQihQfYRMP4mMfES5n09VlHGylImUkgUdvQI-v1"
    )
    assert ApplySetParent(SECRET, "web", "ns1").id == applyset_id(
        name="web", namespace="ns1", kind="Secret", group=""
    )


def test_parent_patch_has_kubectls_sorted_annotations_without_own_namespace() -> None:
    parent = ApplySetParent(SECRET, "web", "ns1")
    body = parent_patch(
        parent,
        tooling="kubeset/v0.1.0",
        group_kinds={GroupKind("Deployment", "apps"), GroupKind("ConfigMap")},
        namespaces={"ns2", "ns1", "a-ns"},
    )
    assert body == {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "web",
            "namespace": "ns1",
            "labels": {ID_LABEL: parent.id},
            "annotations": {
                TOOLING_ANNOTATION: "kubeset/v0.1.0",
                GROUP_KINDS_ANNOTATION: "ConfigMap,Deployment.apps",
                NAMESPACES_ANNOTATION: "a-ns,ns2",
            },
        },
    }


def _parent_obj(parent: ApplySetParent, **annotations: str) -> dict:
    return {
        "metadata": {
            "name": parent.name,
            "namespace": parent.namespace,
            "labels": {ID_LABEL: parent.id},
            "annotations": annotations,
        }
    }


def test_read_state_parses_kinds_and_namespaces_and_checks_tool_and_id() -> None:
    parent = ApplySetParent(SECRET, "web", "ns1")
    live = _parent_obj(
        parent,
        **{
            TOOLING_ANNOTATION: "kubectl/v1.36.0",
            GROUP_KINDS_ANNOTATION: "ConfigMap,Widget.example.com",
            NAMESPACES_ANNOTATION: "ns2",
        },
    )
    state = read_state(parent, live, tooling="kubectl/v1.99.0")  # the version may differ
    assert state.group_kinds == {GroupKind("ConfigMap"), GroupKind("Widget", "example.com")}
    assert state.namespaces == {"ns1", "ns2"}
    with pytest.raises(ApplySetError, match="managed by 'kubectl'.*tooling='kubectl/v1.36.0'"):
        read_state(parent, live, tooling="kubeset/v0.1.0")
    live["metadata"]["labels"][ID_LABEL] = "applyset-other-v1"
    with pytest.raises(ApplySetError, match="expected 'applyset-fASI"):
        read_state(parent, live, tooling="kubectl/v1.36.0")
    assert read_state(parent, None, tooling="kubeset/v1").namespaces == {"ns1"}


def test_member_label_added_and_another_sets_label_refused() -> None:
    obj = {"kind": "ConfigMap", "metadata": {"name": "x", "labels": {"app": "a"}}}
    labelled = with_member_label(obj, "applyset-a-v1")
    assert labelled["metadata"]["labels"] == {"app": "a", PART_OF_LABEL: "applyset-a-v1"}
    assert "labels" in obj["metadata"] and PART_OF_LABEL not in obj["metadata"]["labels"]
    with pytest.raises(ApplySetError, match="another ApplySet"):
        with_member_label(labelled, "applyset-b-v1")


def test_group_kind_parses_like_go() -> None:
    assert GroupKind.parse("Deployment.apps") == GroupKind("Deployment", "apps")
    assert GroupKind.parse("Widget.stable.example.com") == GroupKind("Widget", "stable.example.com")
    assert str(GroupKind.of("v1", "ConfigMap")) == "ConfigMap"
    assert str(GroupKind.of("apps/v1", "Deployment")) == "Deployment.apps"


# -- readiness -----------------------------------------------------------------------
def _deploy(generation: int = 2, observed: int = 2, **status: int) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "generation": generation},
        "spec": {"replicas": 3},
        "status": {"observedGeneration": observed, **status},
    }


@pytest.mark.parametrize(
    ("obj", "ready", "message"),
    [
        (_deploy(3, 2), False, "spec update to be observed"),
        (
            _deploy(updatedReplicas=1, replicas=3),
            False,
            "1 out of 3 new replicas have been updated",
        ),
        (_deploy(updatedReplicas=3, replicas=4), False, "1 old replicas are pending termination"),
        (
            _deploy(updatedReplicas=3, replicas=3, availableReplicas=2),
            False,
            "2 of 3 updated replicas are available",
        ),
        (
            _deploy(updatedReplicas=3, replicas=3, availableReplicas=3),
            True,
            "successfully rolled out",
        ),
    ],
)
def test_deployment_like_rollout_status(obj: dict, ready: bool, message: str) -> None:
    found = judge(obj)
    assert found.ready is ready and message in found.message and not found.failed


def test_deployment_past_progress_deadline_has_failed() -> None:
    obj = _deploy(updatedReplicas=1)
    obj["status"]["conditions"] = [
        {
            "type": "Progressing",
            "status": "False",
            "reason": "ProgressDeadlineExceeded",
            "message": "ReplicaSet web-1 has timed out progressing.",
        }
    ]
    found = judge(obj)
    assert found.failed and "timed out progressing" in found.message


def test_statefulset_and_daemonset() -> None:
    sts = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db", "generation": 1},
        "spec": {"replicas": 2},
        "status": {"observedGeneration": 1, "readyReplicas": 1},
    }
    assert "Waiting for 1 pods to be ready" in judge(sts).message
    sts["status"].update(
        readyReplicas=2, updateRevision="db-2", currentRevision="db-1", updatedReplicas=1
    )
    assert not judge(sts).ready and "revision db-2" in judge(sts).message
    sts["status"].update(currentRevision="db-2", currentReplicas=2)
    assert judge(sts).ready
    sts["spec"]["updateStrategy"] = {"type": "OnDelete"}
    assert judge(sts).failed
    ds = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent"},
        "status": {"desiredNumberScheduled": 3, "updatedNumberScheduled": 3, "numberAvailable": 2},
    }
    assert "2 of 3 updated pods are available" in judge(ds).message
    ds["status"]["numberAvailable"] = 3
    assert judge(ds).ready


def test_job_crd_conditions_deletion() -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "status": {}}
    assert not judge(job).ready and "no Complete condition" in judge(job).message
    job["status"]["conditions"] = [
        {
            "type": "Failed",
            "status": "True",
            "reason": "BackoffLimitExceeded",
            "message": "Job has reached the specified backoff limit",
        }
    ]
    failed = judge(job)
    assert failed.failed and "BackoffLimitExceeded: Job has reached" in failed.message
    job["status"]["conditions"] = [{"type": "Complete", "status": "True"}]
    assert judge(job).ready
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "x"},
        "status": {
            "conditions": [
                {
                    "type": "Established",
                    "status": "False",
                    "reason": "Installing",
                    "message": "the initial names have not been accepted",
                }
            ]
        },
    }
    assert "Established is False, waiting for True (Installing: the initial" in judge(crd).message
    assert judge(crd, "condition=Established=false").ready
    assert judge({"kind": "ConfigMap", "metadata": {}}).ready  # other kinds: once they exist
    assert judge(None, "delete").ready and not judge(crd, "delete").ready
    assert not judge(None).ready


def test_parse_condition() -> None:
    assert parse_condition("condition=Available") == WaitCondition("condition", "Available", "True")
    assert parse_condition("condition=Ready=False") == WaitCondition("condition", "Ready", "False")
    assert str(parse_condition("delete")) == "delete"
    for bad in ("", "cond=Ready", "condition=", "jsonpath={.x}"):
        with pytest.raises(ValueError, match="expected ready, delete or condition"):
            parse_condition(bad)


# -- diff ----------------------------------------------------------------------------
def test_comparable_leaves_out_server_fields() -> None:
    obj = {
        "kind": "ConfigMap",
        "metadata": {
            "name": "x",
            "resourceVersion": "9",
            "generation": 2,
            "uid": "u",
            "creationTimestamp": "t",
            "managedFields": [{}],
            "labels": {"a": "b"},
        },
    }
    assert comparable(obj) == {"kind": "ConfigMap", "metadata": {"name": "x", "labels": {"a": "b"}}}


def test_secret_values_masked_like_kubectl_and_never_printed() -> None:
    live = {
        "apiVersion": "v1",
        "kind": "Secret",
        "data": {"same": "czE=", "old": "b2xk", "gone": "Zw=="},
    }
    merged = {
        "apiVersion": "v1",
        "kind": "Secret",
        "data": {"same": "czE=", "old": "bmV3", "new": "bg=="},
    }
    before, after = mask_secrets(live, merged)
    assert before == {
        "apiVersion": "v1",
        "kind": "Secret",
        "data": {"same": "***", "old": "*** (before)", "gone": "***"},
    }
    assert after == {
        "apiVersion": "v1",
        "kind": "Secret",
        "data": {"same": "***", "old": "*** (after)", "new": "***"},
    }
    text = unified_diff(before, after, name="v1.Secret.ns.s")
    assert "--- live/v1.Secret.ns.s" in text and "+  new: '***'" in text
    assert not any(v in text for v in ("czE=", "b2xk", "bmV3", "bg==", "Zw=="))
    assert live["data"]["old"] == "b2xk"  # the inputs are not changed


def test_unified_diff_of_a_change_and_of_a_new_object() -> None:
    live = {"data": {"mode": "fast"}, "kind": "ConfigMap"}
    merged = {"data": {"mode": "slow"}, "kind": "ConfigMap"}
    text = unified_diff(live, merged, name="v1.ConfigMap.ns.c")
    assert "-  mode: fast\n+  mode: slow\n" in text
    created = unified_diff(None, merged, name="v1.ConfigMap.ns.c")
    assert created.startswith("--- live/v1.ConfigMap.ns.c\n+++ merged/v1.ConfigMap.ns.c\n")
    assert "+kind: ConfigMap\n" in created
    assert unified_diff(live, live, name="x") == ""


def test_secret_last_applied_annotation_masked_too() -> None:
    applied = '{"apiVersion":"v1","data":{"p":"aHVudGVyMg=="},"kind":"Secret"}'
    live = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "annotations": {LAST_APPLIED: applied, "team": "a"}},
        "data": {"p": "aHVudGVyMg=="},
    }
    merged = {**live, "metadata": {"name": "s", "annotations": {"team": "b"}}}
    before, after = mask_secrets(live, merged)
    assert before is not None and after is not None
    assert before["metadata"]["annotations"] == {LAST_APPLIED: "***", "team": "a"}
    assert after["metadata"]["annotations"] == {"team": "b"}
    assert "aHVudGVyMg" not in unified_diff(before, after, name="s")
    assert live["metadata"]["annotations"][LAST_APPLIED] == applied


def test_cli_timeouts_as_kubectl_writes_them() -> None:
    assert [parse_duration(t) for t in ("30", "30s", "5m", "1h", "500ms")] == [
        30.0,
        30.0,
        300.0,
        3600.0,
        0.5,
    ]
    for bad in ("", "0", "-1s", "5x", "m"):
        with pytest.raises(argparse.ArgumentTypeError, match="not a positive duration"):
            parse_duration(bad)


# -- kubectl's own records (pkg/cmd/apply/apply_test.go) ------------------------------
COMPANY_APPLYSET = RESTMapping("company.com", "v1", "ApplySet", "applysets", False)
KUBECTL_MASTER = "kubectl/v0.0.0-master+$Format:%H$"  # what kubectl's tests record as tooling


def test_id_matches_kubectls_test_vectors() -> None:
    # TestApplySetParentManagement: the Secret my-set in namespace test
    assert (
        ApplySetParent(SECRET, "my-set", "test").id
        == "applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1"
    )
    # TestApplySet_ClusterScopedCustomResourceParent: applysets.company.com/my-set
    assert (
        ApplySetParent(COMPANY_APPLYSET, "my-set").id
        == "applyset-rhp1a-HVAVT_dFgyEygyA1BEB82HPp2o10UiFTpqtAs-v1"
    )


def test_parent_patches_are_the_parents_kubectls_tests_expect() -> None:
    """A ReplicationController applied in namespace test: kubectl's parent Secret lists no
    additional namespace (its own is left out); its cluster-scoped custom parent lists test."""
    rc = {GroupKind("ReplicationController")}
    secret = parent_patch(
        ApplySetParent(SECRET, "my-set", "test"),
        tooling=KUBECTL_MASTER,
        group_kinds=rc,
        namespaces={"test"},
    )
    assert secret["metadata"] == {
        "name": "my-set",
        "namespace": "test",
        "labels": {ID_LABEL: "applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1"},
        "annotations": {
            NAMESPACES_ANNOTATION: "",
            GROUP_KINDS_ANNOTATION: "ReplicationController",
            TOOLING_ANNOTATION: KUBECTL_MASTER,
        },
    }
    custom = parent_patch(
        ApplySetParent(COMPANY_APPLYSET, "my-set"),
        tooling=KUBECTL_MASTER,
        group_kinds=rc,
        namespaces={"test"},
    )
    assert (custom["apiVersion"], custom["kind"]) == ("company.com/v1", "ApplySet")
    assert "namespace" not in custom["metadata"]
    assert custom["metadata"]["annotations"][NAMESPACES_ANNOTATION] == "test"
    assert custom["metadata"]["labels"] == {
        ID_LABEL: "applyset-rhp1a-HVAVT_dFgyEygyA1BEB82HPp2o10UiFTpqtAs-v1"
    }
    # read back by another kubectl version: the same set
    state = read_state(ApplySetParent(SECRET, "my-set", "test"), secret, tooling="kubectl/v1.36.0")
    assert state.exists and state.tooling == KUBECTL_MASTER
    assert state.group_kinds == rc and state.namespaces == {"test"}


def test_tool_name_is_everything_before_the_last_slash_as_kubectl_reads_it() -> None:
    parent = ApplySetParent(SECRET, "web", "ns1")
    live = parent_patch(
        parent, tooling="example.com/deployer/v2", group_kinds=[], namespaces=["", "ns1", "ns1"]
    )
    assert live["metadata"]["annotations"][NAMESPACES_ANNOTATION] == ""
    assert read_state(parent, live, tooling="example.com/deployer/v3").group_kinds == frozenset()
    with pytest.raises(ApplySetError, match="managed by 'example.com/deployer', not 'example.com'"):
        read_state(parent, live, tooling="example.com/v2")
    del live["metadata"]["annotations"][TOOLING_ANNOTATION]
    with pytest.raises(ApplySetError, match="without the applyset.kubernetes.io/tooling"):
        read_state(parent, live, tooling="example.com/deployer/v2")


def test_parent_refs_as_kubectls_applyset_flag() -> None:
    mapper = RESTMapper(
        CachedDiscoveryClient(
            DiscoveryClient(
                FakeDiscovery(
                    {
                        "": {
                            "v1": [
                                Res("secrets", "Secret"),
                                Res("configmaps", "ConfigMap"),
                            ]
                        },
                        "deploy.example.com": {"v1": [Res("plans", "Plan", namespaced=False)]},
                    }
                ).rest()
            ),
            disk=False,
        )
    )
    web = parse_parent_ref("web", mapper, namespace="ns1")
    assert (web.mapping.kind, web.name, web.namespace, str(web)) == (
        "Secret",
        "web",
        "ns1",
        "secrets./web",
    )
    assert parse_parent_ref("configmaps/web", mapper, namespace="ns1").mapping.kind == "ConfigMap"
    plan = parse_parent_ref("plans.deploy.example.com/prod", mapper, namespace="ns1")
    assert (plan.namespace, plan.builtin, str(plan)) == ("", False, "plans.deploy.example.com/prod")
    assert plan.id == applyset_id(
        name="prod", namespace="", kind="Plan", group="deploy.example.com"
    )
    with pytest.raises(ApplySetError, match="namespaced; give its namespace"):
        parse_parent_ref("web", mapper)
    for bad in ("secrets/", "secrets/a/b"):
        with pytest.raises(ApplySetError, match=r"expected NAME or RESOURCE\[.GROUP\]/NAME"):
            parse_parent_ref(bad, mapper, namespace="ns1")
    with pytest.raises(ApplySetError, match="applyset 'widgets.x.io/w'"):
        parse_parent_ref("widgets.x.io/w", mapper, namespace="ns1")


# -- diff masking: the cases of kubectl diff's masker -----------------------------------
def _secret(data: dict[str, str], **extra: object) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": data, **extra}


def test_string_data_is_masked_and_equal_secrets_do_not_differ() -> None:
    live = _secret({"a": "eA=="})
    merged = _secret({"a": "eA=="}, stringData={"plain": "hunter2"})
    before, after = mask_secrets(live, merged)
    assert before is not None and after is not None
    assert after["stringData"] == {"plain": "***"} and after["data"] == {"a": "***"}
    assert "hunter2" not in unified_diff(before, after, name="s")
    same_before, same_after = mask_secrets(live, _secret({"a": "eA=="}))
    assert same_before == same_after
    assert unified_diff(same_before, same_after, name="s") == ""


def test_only_core_secrets_are_masked() -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "v"}}
    assert mask_secrets(cm, cm) == (cm, cm)
    custom = {"apiVersion": "vault.example.com/v1", "kind": "Secret", "data": {"k": "v"}}
    assert mask_secrets(custom, None) == (custom, None)
    before, after = mask_secrets(None, _secret({"k": "dg=="}))
    assert before is None and after is not None and after["data"] == {"k": "***"}


def test_a_new_objects_diff_is_all_additions() -> None:
    lines = unified_diff(None, {"kind": "ConfigMap", "data": {"k": "v"}}, name="v1.ConfigMap.ns.c")
    assert lines.splitlines()[:3] == [
        "--- live/v1.ConfigMap.ns.c",
        "+++ merged/v1.ConfigMap.ns.c",
        "@@ -0,0 +1,3 @@",
    ]
    assert all(line.startswith("+") for line in lines.splitlines()[3:])


def test_a_parent_with_only_the_deprecated_group_resources_is_read_through_the_mapper() -> None:
    parent = ApplySetParent(SECRET, "old-set", "ns1")
    live = parent_patch(parent, tooling="kubectl/v1.27.0", group_kinds=[], namespaces=["ns2"])
    annotations = live["metadata"]["annotations"]
    del annotations[GROUP_KINDS_ANNOTATION]
    annotations[GROUP_RESOURCES_ANNOTATION] = "deployments.apps,pods"
    fake = FakeDiscovery(standard())
    mapper = RESTMapper(CachedDiscoveryClient(DiscoveryClient(fake.rest()), disk=False))
    state = read_state(parent, live, tooling="kubectl/v1.36.0", mapper=mapper)
    assert state.group_kinds == {GroupKind("Deployment", "apps"), GroupKind("Pod", "")}
    assert state.tooling == "kubectl/v1.27.0" and state.namespaces == {"ns1", "ns2"}
    amapper = RESTMapper(CachedDiscoveryClient(DiscoveryClient(fake.async_rest()), disk=False))
    steps = read_state_steps(parent, live, tooling="kubectl/v1.36.0", mapper=amapper)
    assert asyncio.run(arun(steps)) == state  # the same reading through the asyncio mapper
