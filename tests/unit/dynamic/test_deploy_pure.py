"""The pure decisions of the deploy tools: ApplySet ids and parent records, readiness
judgements, diff masking and comparison (no server)."""

from __future__ import annotations

import argparse

import pytest
from kubeset.__main__ import parse_duration
from kubeset.discovery.restmapper import RESTMapping
from kubeset.dynamic.applyset import (
    GROUP_KINDS_ANNOTATION,
    ID_LABEL,
    NAMESPACES_ANNOTATION,
    PART_OF_LABEL,
    TOOLING_ANNOTATION,
    ApplySetParent,
    GroupKind,
    applyset_id,
    parent_patch,
    read_state,
    with_member_label,
)
from kubeset.dynamic.diff import LAST_APPLIED, comparable, mask_secrets, unified_diff
from kubeset.dynamic.wait import WaitCondition, judge, parse_condition
from kubeset.errors import ApplySetError

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
