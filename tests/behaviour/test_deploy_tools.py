"""Deploy tools on both backends: diff, ApplySet prune (kubeset's and kubectl's records), wait.

The real server of tests/e2e runs no workload controllers: a Deployment's and a Job's status
is driven here by hand with status updates (what the controllers would write), from a thread
while :func:`wait_for` watches.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from backends import Backend, eventually
from kubeset import errors
from kubeset.discovery import CachedDiscoveryClient, DiscoveryClient
from kubeset.dynamic import DynamicClient
from kubeset.dynamic.applyset import (
    GROUP_KINDS_ANNOTATION,
    ID_LABEL,
    NAMESPACES_ANNOTATION,
    PARENT_TYPE_LABEL,
    PART_OF_LABEL,
    TOOLING_ANNOTATION,
    applyset_id,
)
from kubeset.dynamic.diff import diff_manifests
from kubeset.dynamic.manifests import ManifestOptions, apply_manifests
from kubeset.dynamic.wait import wait_for

KUBECTL = "kubectl/v1.36.0"


@pytest.fixture
def dyn(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The dynamic client of the backend's REST client: on the -aio backends the asyncio one,
    seen through the test bridge, and apply, diff and wait (awaited) called through it too."""
    rest = backend.rest
    found = DynamicClient(rest, discovery=CachedDiscoveryClient(DiscoveryClient(rest), disk=False))
    if backend.bridge is not None:
        for name in ("apply_manifests", "diff_manifests", "wait_for"):
            monkeypatch.setitem(globals(), name, backend.bridge.blocking(globals()[name]))
    return backend.wrap(found)


def _yaml(*docs: str) -> str:
    return "\n---\n".join(docs)


def _cm(name: str, ns: str, **data: str) -> str:
    body = ", ".join(f"{k}: '{v}'" for k, v in data.items())
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: {ns}}}\ndata: {{{body}}}\n"


def _later(action: Callable[[], object], delay: float = 0.5) -> threading.Thread:
    """Run ``action`` on a thread after ``delay`` (while the test waits on a watch)."""

    def run() -> None:
        time.sleep(delay)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


# -- diff ----------------------------------------------------------------------------
def test_diff_unchanged_changed_new_and_secret_masked(
    backend: Backend, dyn: DynamicClient, ns: str, tmp_path: Path
) -> None:
    secret = f"apiVersion: v1\nkind: Secret\nmetadata: {{name: creds, namespace: {ns}}}\nstringData: {{password: hunter2}}\n"
    app = tmp_path / "app.yaml"
    app.write_text(_yaml(_cm("settings", ns, mode="fast"), secret))
    options = ManifestOptions(field_manager="deployer")
    assert [r.action for r in apply_manifests(dyn, app, options)] == ["created", "created"]

    same = diff_manifests(dyn, app, options)
    assert [(r.line(), r.diff) for r in same] == [
        ("configmap/settings unchanged", ""),
        ("secret/creds unchanged", ""),
    ]
    app.write_text(
        _yaml(
            _cm("settings", ns, mode="slow"),
            secret.replace("hunter2", "correct-horse"),
            _cm("extra", ns, k="v"),
        )
    )
    changed = diff_manifests(dyn, app, options)
    assert [r.line() for r in changed] == [
        "configmap/settings changed",
        "secret/creds changed",
        "configmap/extra created",
    ]
    assert f"--- live/v1.ConfigMap.{ns}.settings" in changed[0].diff
    assert "-  mode: fast\n+  mode: slow\n" in changed[0].diff
    assert "resourceVersion" not in changed[0].diff and "managedFields" not in changed[0].diff
    assert "*** (before)" in changed[1].diff and "*** (after)" in changed[1].diff
    for secret_text in ("hunter2", "correct-horse", "aHVudGVyMg"):
        assert secret_text not in changed[1].diff
    assert "+  k: v\n" in changed[2].diff and "uid" not in changed[2].diff
    # a diff is a dry run: nothing changed
    cms = dyn.resource("", "v1", "configmaps").in_namespace(ns)
    assert cms.get("settings").object["data"] == {"mode": "fast"}
    with pytest.raises(errors.NotFound):
        cms.get("extra")


# -- ApplySets -----------------------------------------------------------------------
def _crd(group: str, kind: str, scope: str) -> dict[str, Any]:
    """A CRD of ``kind`` (plural ``<kind>s``) whose objects hold anything."""
    plural = f"{kind.lower()}s"
    schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    return {
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "scope": scope,
            "names": {"plural": plural, "singular": kind.lower(), "kind": kind},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": schema},
                }
            ],
        },
    }


@pytest.fixture
def widget_kind(backend: Backend) -> Iterator[str]:
    """A CRD-defined namespaced kind (not itself a member of the sets under test)."""
    group = f"d{uuid.uuid4().hex[:6]}.kubeset.io"
    crds = backend.cs.apiextensions_v1.custom_resource_definitions()
    crds.create(_crd(group, "Widget", "Namespaced"))
    yield group
    crds.delete(f"widgets.{group}")


def _widget(name: str, ns: str, group: str) -> str:
    return f"apiVersion: {group}/v1\nkind: Widget\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {{size: 1}}\n"


def _parent(dyn: DynamicClient, ns: str, name: str) -> Any:
    return dyn.resource("", "v1", "secrets").in_namespace(ns).get(name)


def test_prune_removes_exactly_the_dropped_members(
    backend: Backend, dyn: DynamicClient, widget_kind: str, tmp_path: Path
) -> None:
    ns1, ns2 = backend.namespace(), backend.namespace()
    eventually(lambda: dyn.for_kind(f"{widget_kind}/v1", "Widget", ns1).list())
    cms1 = dyn.resource("", "v1", "configmaps").in_namespace(ns1)
    cms2 = dyn.resource("", "v1", "configmaps").in_namespace(ns2)
    widgets = dyn.for_kind(f"{widget_kind}/v1", "Widget", ns1)
    other_id = applyset_id(name="other", namespace=ns2, kind="Secret", group="")
    # outside the set: no label; and a second tool's set (same label key, another id)
    cms1.create({"metadata": {"name": "outsider", "labels": {"app": "web"}}})
    cms2.create({"metadata": {"name": "theirs", "labels": {PART_OF_LABEL: other_id}}})
    widgets.create(
        {
            "apiVersion": f"{widget_kind}/v1",
            "kind": "Widget",
            "metadata": {"name": "their-widget", "labels": {PART_OF_LABEL: other_id}},
        }
    )
    app = tmp_path / "app.yaml"
    app.write_text(
        _yaml(_cm("keep", ns1, a="1"), _cm("dropped", ns2, b="2"), _widget("w1", ns1, widget_kind))
    )
    options = ManifestOptions(
        field_manager="deployer", namespace=ns1, applyset="secrets/web-set", prune=True
    )
    first = apply_manifests(dyn, app, options)
    assert [r.line() for r in first] == [
        "configmap/keep created",
        "configmap/dropped created",
        f"widget.{widget_kind}/w1 created",
    ]
    set_id = applyset_id(name="web-set", namespace=ns1, kind="Secret", group="")
    parent = _parent(dyn, ns1, "web-set")
    assert parent.labels == {ID_LABEL: set_id}
    assert parent.annotations == {
        TOOLING_ANNOTATION: "kubeset/v0.1.0",
        GROUP_KINDS_ANNOTATION: f"ConfigMap,Widget.{widget_kind}",
        NAMESPACES_ANNOTATION: ns2,
    }
    assert cms2.get("dropped").labels[PART_OF_LABEL] == set_id

    app.write_text(_cm("keep", ns1, a="1"))
    dry = apply_manifests(
        dyn,
        app,
        ManifestOptions(
            field_manager="deployer",
            namespace=ns1,
            applyset="secrets/web-set",
            prune=True,
            dry_run=True,
        ),
    )
    assert sorted(r.line() for r in dry if r.action == "pruned") == [
        "configmap/dropped pruned (server dry run)",
        f"widget.{widget_kind}/w1 pruned (server dry run)",
    ]
    assert cms2.get("dropped") and widgets.get("w1")  # still there
    assert _parent(dyn, ns1, "web-set").annotations[NAMESPACES_ANNOTATION] == ns2

    second = apply_manifests(dyn, app, options)
    assert sorted(r.line() for r in second) == [
        "configmap/dropped pruned",
        "configmap/keep unchanged",
        f"widget.{widget_kind}/w1 pruned",
    ]
    assert all(r.source == "ApplySet secrets./web-set" for r in second if r.action == "pruned")
    eventually(lambda: _gone(lambda: cms2.get("dropped")))
    eventually(lambda: _gone(lambda: widgets.get("w1")))
    assert cms1.get("keep") and cms1.get("outsider") and cms2.get("theirs")
    assert widgets.get("their-widget")
    parent = _parent(dyn, ns1, "web-set")
    assert parent.annotations[GROUP_KINDS_ANNOTATION] == "ConfigMap"
    assert parent.annotations[NAMESPACES_ANNOTATION] == ""
    assert {m["manager"] for m in parent.object["metadata"]["managedFields"]} == {
        "kubeset-applyset"
    }


def _gone(read: Callable[[], object]) -> None:
    with pytest.raises(errors.NotFound):
        read()


def test_a_set_kubectl_wrote_is_pruned_by_kubeset_and_stays_kubectls(
    backend: Backend, dyn: DynamicClient, ns: str, tmp_path: Path
) -> None:
    """What kubectl 1.36 writes for ``kubectl apply --server-side --prune --applyset=app``:
    the parent Secret applied by field manager ``kubectl-applyset``, the members by ``kubectl``."""
    set_id = applyset_id(name="app", namespace=ns, kind="Secret", group="")
    secrets = dyn.resource("", "v1", "secrets").in_namespace(ns)
    secrets.apply(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": "app",
                "namespace": ns,
                "labels": {ID_LABEL: set_id},
                "annotations": {
                    TOOLING_ANNOTATION: KUBECTL,
                    GROUP_KINDS_ANNOTATION: "ConfigMap",
                    NAMESPACES_ANNOTATION: "",
                },
            },
        },
        field_manager="kubectl-applyset",
    )
    cms = dyn.resource("", "v1", "configmaps").in_namespace(ns)
    for name in ("x", "y"):
        cms.apply(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": ns, "labels": {PART_OF_LABEL: set_id}},
                "data": {"k": name},
            },
            field_manager="kubectl",
        )
    app = tmp_path / "app.yaml"
    app.write_text(_cm("x", ns, k="x"))
    ours = ManifestOptions(field_manager="kubectl", namespace=ns, applyset="app", prune=True)
    with pytest.raises(errors.ApplySetError, match="managed by 'kubectl'"):
        apply_manifests(dyn, app, ours)
    assert cms.get("y")  # refused before anything was done
    taken = ManifestOptions(
        field_manager="kubectl", namespace=ns, applyset="app", prune=True, tooling=KUBECTL
    )
    assert [r.line() for r in apply_manifests(dyn, app, taken)] == [
        "configmap/x unchanged",
        "configmap/y pruned",
    ]
    eventually(lambda: _gone(lambda: cms.get("y")))
    parent = secrets.get("app")
    assert parent.labels == {ID_LABEL: set_id}
    assert parent.annotations == {
        TOOLING_ANNOTATION: KUBECTL,
        GROUP_KINDS_ANNOTATION: "ConfigMap",
        NAMESPACES_ANNOTATION: "",
    }
    assert {m["manager"] for m in parent.object["metadata"]["managedFields"]} == {
        "kubectl-applyset"
    }


def _namespace(name: str) -> str:
    return f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}}}\n"


def test_the_parents_namespace_may_come_with_the_manifests(
    backend: Backend, dyn: DynamicClient, tmp_path: Path
) -> None:
    """The parent is written before any member (kubectl's order), except its own Namespace
    when the manifests create it; Namespaces are members too, and pruned after what they hold."""
    home, extra = f"h-{uuid.uuid4().hex[:6]}", f"x-{uuid.uuid4().hex[:6]}"
    namespaces = dyn.resource("", "v1", "namespaces")
    for name in (home, extra):
        backend.cleanup.append(lambda name=name: _quietly_delete(namespaces, name))
    app = tmp_path / "app.yaml"
    app.write_text(
        _yaml(_namespace(home), _cm("a", home, v="1"), _namespace(extra), _cm("b", extra, v="1"))
    )
    options = ManifestOptions(field_manager="d", namespace=home, applyset="app", prune=True)
    dry = ManifestOptions(
        field_manager="d", namespace=home, applyset="app", prune=True, dry_run=True
    )
    assert apply_manifests(dyn, app, dry)[0].line() == f"namespace/{home} created (server dry run)"
    _gone(lambda: namespaces.get(home))  # nothing persisted, no parent written
    assert [r.line() for r in apply_manifests(dyn, app, options)] == [
        f"namespace/{home} created",
        f"namespace/{extra} created",
        "configmap/a created",
        "configmap/b created",
    ]
    set_id = applyset_id(name="app", namespace=home, kind="Secret", group="")
    parent = _parent(dyn, home, "app")
    assert parent.labels == {ID_LABEL: set_id}
    assert parent.annotations[GROUP_KINDS_ANNOTATION] == "ConfigMap,Namespace"
    assert parent.annotations[NAMESPACES_ANNOTATION] == extra
    assert namespaces.get(home).labels[PART_OF_LABEL] == set_id

    app.write_text(_yaml(_namespace(home), _cm("a", home, v="1")))
    assert [r.line() for r in apply_manifests(dyn, app, options)] == [
        f"namespace/{home} unchanged",
        "configmap/a unchanged",
        "configmap/b pruned",  # namespaced members first, their Namespace last
        f"namespace/{extra} pruned",
    ]
    parent = _parent(dyn, home, "app")
    assert parent.annotations[GROUP_KINDS_ANNOTATION] == "ConfigMap,Namespace"
    assert parent.annotations[NAMESPACES_ANNOTATION] == ""


def _quietly_delete(client: Any, name: str) -> None:
    try:
        client.delete(name)
    except errors.NotFound:
        pass


# -- wait ----------------------------------------------------------------------------
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {ns}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: c, image: nginx}}]}}
"""


def test_wait_for_a_deployment_rolled_out_by_hand(
    dyn: DynamicClient, ns: str, tmp_path: Path
) -> None:
    (tmp_path / "d.yaml").write_text(DEPLOYMENT.format(ns=ns))
    applied = apply_manifests(dyn, tmp_path / "d.yaml", ManifestOptions(field_manager="deployer"))
    deployments = dyn.resource("apps", "v1", "deployments").in_namespace(ns)
    generation = deployments.get("web").generation

    def roll_out() -> None:
        for status in (
            {"observedGeneration": generation, "replicas": 2, "updatedReplicas": 1},
            {
                "observedGeneration": generation,
                "replicas": 2,
                "updatedReplicas": 2,
                "availableReplicas": 2,
                "readyReplicas": 2,
            },
        ):
            live = deployments.get("web")
            live.object["status"] = status
            deployments.update_subresource(live, "status")
            time.sleep(0.3)

    thread = _later(roll_out)
    [result] = wait_for(dyn, applied, timeout=30)
    thread.join(5)
    assert result.ready and result.line() == "deployment.apps/web condition met"
    assert result.message == "deployment 'web' successfully rolled out"


def test_wait_times_out_naming_what_is_not_ready(
    dyn: DynamicClient, ns: str, tmp_path: Path
) -> None:
    (tmp_path / "d.yaml").write_text(DEPLOYMENT.format(ns=ns))
    applied = apply_manifests(dyn, tmp_path / "d.yaml", ManifestOptions(field_manager="deployer"))
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": ns}}
    dyn.resource("", "v1", "configmaps").in_namespace(ns).create(cm)
    started = time.monotonic()
    with pytest.raises(errors.WaitTimeout) as caught:
        wait_for(dyn, [*applied, cm], timeout=1.5)
    assert time.monotonic() - started < 15  # bounded (generous: a shared machine)
    message = str(caught.value)
    assert message.startswith("timed out after 1.5s waiting for 1 of 2 objects:")
    assert f"deployment.apps/web in {ns} not ready (ready):" in message
    assert "spec update to be observed" in message or "new replicas" in message
    assert [r.ready for r in caught.value.results] == [False, True]


JOB = """apiVersion: batch/v1
kind: Job
metadata: {{name: once, namespace: {ns}}}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{{name: c, image: busybox}}]
"""


def test_wait_for_a_job_to_complete_and_for_a_failed_one(
    dyn: DynamicClient, ns: str, tmp_path: Path
) -> None:
    (tmp_path / "j.yaml").write_text(JOB.format(ns=ns))
    [applied] = apply_manifests(dyn, tmp_path / "j.yaml", ManifestOptions(field_manager="d"))
    jobs = dyn.resource("batch", "v1", "jobs").in_namespace(ns)

    def finish(kind: str, reason: str) -> None:
        live = jobs.get("once")
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        done = {
            "type": kind,
            "status": "True",
            "reason": reason,
            "message": f"job {reason}",
            "lastProbeTime": now,
            "lastTransitionTime": now,
        }
        interim = "SuccessCriteriaMet" if kind == "Complete" else "FailureTarget"
        live.object["status"] = {
            "startTime": now,
            "conditions": [{**done, "type": interim}, done],
            **({"succeeded": 1, "completionTime": now} if kind == "Complete" else {"failed": 1}),
        }
        jobs.update_subresource(live, "status")

    thread = _later(lambda: finish("Complete", "CompletionsReached"))
    [result] = wait_for(dyn, [applied], timeout=30)
    thread.join(5)
    assert result.ready and result.message == "condition Complete=True"

    jobs.delete("once", propagation_policy="Background")
    wait_for(dyn, [applied], condition="delete", timeout=30)
    apply_manifests(dyn, tmp_path / "j.yaml", ManifestOptions(field_manager="d"))
    thread = _later(lambda: finish("Failed", "BackoffLimitExceeded"))
    with pytest.raises(errors.WaitError) as caught:
        wait_for(dyn, [applied], timeout=30)
    thread.join(5)
    assert not isinstance(caught.value, errors.WaitTimeout)
    assert "failed (ready): job failed (BackoffLimitExceeded: job BackoffLimitExceeded)" in str(
        caught.value
    )


def test_wait_for_a_crd_and_a_deletion(
    backend: Backend, dyn: DynamicClient, widget_kind: str, ns: str
) -> None:
    crd = dyn.for_kind("apiextensions.k8s.io/v1", "CustomResourceDefinition").get(
        f"widgets.{widget_kind}"
    )
    [established] = wait_for(dyn, [crd], timeout=30)
    assert established.message == "condition Established=True"
    cms = dyn.resource("", "v1", "configmaps").in_namespace(ns)
    cm = cms.create({"metadata": {"name": "doomed"}})
    assert cm.api_version == "v1"
    thread = _later(lambda: cms.delete("doomed"))
    [deleted] = wait_for(dyn, [cm], condition="delete", timeout=30)
    thread.join(5)
    assert deleted.ready and deleted.line() == "configmap/doomed condition met"
    # a condition of any kind, by name: it never comes, and the timeout says which
    with pytest.raises(errors.WaitTimeout, match=r"condition=Ready=True\): no Ready condition yet"):
        wait_for(dyn, [crd], condition="condition=Ready", timeout=1)


def test_a_custom_resource_parent_needs_its_crd_labelled(
    backend: Backend, dyn: DynamicClient, ns: str, tmp_path: Path
) -> None:
    group = f"p{uuid.uuid4().hex[:6]}.kubeset.io"
    crds = backend.cs.apiextensions_v1.custom_resource_definitions()
    crds.create(_crd(group, "Plan", "Cluster"))
    backend.cleanup.append(lambda: crds.delete(f"plans.{group}"))
    plans = eventually(lambda: dyn.for_kind(f"{group}/v1", "Plan"))
    eventually(plans.list)
    app = tmp_path / "app.yaml"
    app.write_text(_cm("c", ns, a="1"))
    options = ManifestOptions(
        field_manager="deployer", applyset=f"plans.{group}/prod", prune=True, namespace=ns
    )
    with pytest.raises(errors.ApplySetError, match="lacks the applyset.kubernetes.io/is-parent"):
        apply_manifests(dyn, app, options)
    builtin = ManifestOptions(field_manager="deployer", applyset="deployments.apps/x", namespace=ns)
    with pytest.raises(
        errors.ApplySetError, match="deployments.apps is not allowed as an ApplySet"
    ):
        apply_manifests(dyn, app, builtin)  # kubectl's parents: Secrets, ConfigMaps, labelled CRDs
    crds.patch(f"plans.{group}", {"metadata": {"labels": {PARENT_TYPE_LABEL: "true"}}})
    with pytest.raises(errors.ApplySetError, match="not created automatically"):
        apply_manifests(dyn, app, options)
    set_id = applyset_id(name="prod", namespace="", kind="Plan", group=group)
    # made by hand as kubectl needs it: the id label and the tooling annotation
    plans.create(
        {
            "apiVersion": f"{group}/v1",
            "kind": "Plan",
            "metadata": {
                "name": "prod",
                "labels": {ID_LABEL: set_id},
                "annotations": {TOOLING_ANNOTATION: "kubeset/v0"},
            },
        }
    )
    assert [r.line() for r in apply_manifests(dyn, app, options)] == ["configmap/c created"]
    parent = plans.get("prod")
    assert parent.labels == {ID_LABEL: set_id}
    assert parent.annotations[GROUP_KINDS_ANNOTATION] == "ConfigMap"
    assert parent.annotations[NAMESPACES_ANNOTATION] == ns  # a cluster-scoped parent has none
    assert parent.annotations[TOOLING_ANNOTATION] == "kubeset/v0.1.0"
    cm = dyn.resource("", "v1", "configmaps").in_namespace(ns).get("c")
    assert cm.labels[PART_OF_LABEL] == set_id


def test_nothing_is_pruned_when_a_document_failed(
    dyn: DynamicClient, ns: str, tmp_path: Path
) -> None:
    app = tmp_path / "app.yaml"
    app.write_text(_yaml(_cm("a", ns, v="1"), _cm("b", ns, v="1")))
    options = ManifestOptions(field_manager="d", namespace=ns, applyset="s", prune=True)
    assert all(r.ok for r in apply_manifests(dyn, app, options))
    app.write_text(_yaml(_cm("a", ns, v="1"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n"))
    results = apply_manifests(dyn, app, options)
    assert [r.action for r in results] == ["unchanged", "error"]
    assert dyn.resource("", "v1", "configmaps").in_namespace(ns).get("b")
    assert _parent(dyn, ns, "s").annotations[GROUP_KINDS_ANNOTATION] == "ConfigMap"
    with pytest.raises(errors.ApplySetError, match="prune needs an applyset"):
        ManifestOptions(prune=True)
