"""Manifests applied server-side against the real kube-apiserver (library and command).

A folder holding a Namespace, a CRD, a custom resource of it, a Deployment, a Service and a
ConfigMap applies in one call (Namespace and CRD first) and again as all unchanged; hostile
documents give errors naming the file and document while the others are applied; dry run; delete.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import kubeset
import pytest
from kube_apiserver import ApiServer
from kubeset import errors
from kubeset.dynamic import DynamicClient, ManifestOptions, apply_manifests, delete_manifests
from kubeset_cli import kubeset_cli
from readme_tours import run_tour

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def dyn(apiserver: ApiServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DynamicClient]:
    cache = tmp_path_factory.mktemp("discovery-cache")
    with DynamicClient(kubeset.load_kubeconfig(apiserver.kubeconfig), cache_dir=str(cache)) as d:
        yield d


def wait_group_gone(dyn: DynamicClient, group: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        dyn.discovery.invalidate()
        if not any(g.name == group for g in dyn.discovery.server_groups_and_resources().groups):
            return
        time.sleep(0.2)


def write_app(folder: Path, ns: str, group: str) -> None:
    """Files sorted so that the custom resource and the Deployment come before their
    Namespace and CRD: the order applied must not be the order written."""
    folder.mkdir()
    (folder / "a-app.yaml").write_text(
        f"""# the app
apiVersion: {group}/v1
kind: Sprocket
metadata:
  name: s1
  namespace: {ns}
spec:
  teeth: 12
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {ns}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: c, image: nginx}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: {ns}}}
spec:
  selector: {{app: web}}
  ports: [{{port: 80, targetPort: 8080}}]
"""
    )
    (folder / "b-config.yml").write_text(
        f"""---
apiVersion: v1
kind: ConfigMap
metadata: {{name: settings, namespace: {ns}}}
data: {{mode: fast, "on": "yes"}}
"""
    )
    (folder / "c-crd.yaml").write_text(
        f"""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: sprockets.{group}}}
spec:
  group: {group}
  scope: Namespaced
  names: {{plural: sprockets, singular: sprocket, kind: Sprocket}}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties: {{teeth: {{type: integer}}}}
---
apiVersion: v1
kind: Namespace
metadata: {{name: {ns}}}
"""
    )
    (folder / "notes.txt").write_text("not a manifest: ignored\n")


def test_folder_applies_in_order_then_unchanged_then_deleted(
    dyn: DynamicClient, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:6]
    ns, group = f"man-{suffix}", f"m{suffix}.kubeset.test"
    write_app(tmp_path / "app", ns, group)
    options = ManifestOptions(field_manager="kubeset-e2e")
    try:
        first = apply_manifests(dyn, tmp_path / "app", options)
        assert [r.line() for r in first] == [
            f"customresourcedefinition.apiextensions.k8s.io/sprockets.{group} created",
            f"namespace/{ns} created",
            f"sprocket.{group}/s1 created",
            "deployment.apps/web created",
            "service/web created",
            "configmap/settings created",
        ]
        assert first[2].source == f"{tmp_path / 'app' / 'a-app.yaml'} document 1"
        sprocket = dyn.for_kind(f"{group}/v1", "Sprocket", ns).get("s1")
        assert sprocket.get_path("spec", "teeth") == 12
        assert dyn.resource("", "v1", "configmaps").in_namespace(ns).get("settings").object[
            "data"
        ] == {
            "mode": "fast",
            "on": "yes",
        }
        again = apply_manifests(dyn, tmp_path / "app", options)
        assert [r.action for r in again] == ["unchanged"] * 6, [r.line() for r in again]
        # a change: configured; dry run changes nothing
        cm = tmp_path / "app" / "b-config.yml"
        cm.write_text(cm.read_text().replace("fast", "slow"))
        dry = apply_manifests(
            dyn, tmp_path / "app", ManifestOptions(field_manager="kubeset-e2e", dry_run=True)
        )
        assert [r.line() for r in dry][-1] == "configmap/settings configured (server dry run)"
        assert (
            dyn.resource("", "v1", "configmaps")
            .in_namespace(ns)
            .get("settings")
            .object["data"]["mode"]
            == "fast"
        )
        third = apply_manifests(dyn, tmp_path / "app", options)
        assert [r.action for r in third] == ["unchanged"] * 5 + ["configured"]
    finally:
        deleted = delete_manifests(dyn, tmp_path / "app", options)
    assert [r.kind for r in deleted] == [
        "Sprocket",
        "Deployment",
        "Service",
        "ConfigMap",
        "CustomResourceDefinition",
        "Namespace",
    ]
    assert all(r.action == "deleted" for r in deleted), [r.line() for r in deleted]
    wait_group_gone(dyn, group)


HOSTILE = """apiVersion: v1
kind: ConfigMap
metadata: {name: good-1}
data: {a: "1"}
---
apiVersion: v1
kind: Gizmoo
metadata: {name: x}
---
- just
- a list
---
metadata: {name: no-type}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: no-namespace}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: [unclosed
---
apiVersion: v1
kind: ConfigMap
metadata: {name: good-2, namespace: default}
"""


def test_hostile_documents_are_reported_and_the_rest_applied(
    dyn: DynamicClient, tmp_path: Path
) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE)
    results = apply_manifests(dyn, path, ManifestOptions(field_manager="kubeset-e2e"))
    by_doc = {int(r.source.rsplit(" ", 1)[1]): r for r in results}
    assert sorted(by_doc) == [1, 2, 3, 4, 5, 6, 7]
    assert all(r.source.startswith(f"{path} document ") for r in results)
    # no default namespace was given: good-1 is refused, good-2 (namespace set) applied
    assert isinstance(by_doc[1].error, errors.ManifestError)
    assert "namespaced but has no metadata.namespace" in str(by_doc[1].error)
    assert "Gizmoo" in str(by_doc[2].error) and isinstance(by_doc[2].error, errors.NoMatchError)
    assert "expected a mapping" in str(by_doc[3].error) and "got a list" in str(by_doc[3].error)
    assert "no apiVersion and no kind" in str(by_doc[4].error)
    assert "namespaced" in str(by_doc[5].error)
    assert "not valid YAML" in str(by_doc[6].error)
    assert by_doc[7].ok and by_doc[7].action in ("created", "unchanged")
    for r in results:
        if not r.ok:
            assert r.line().startswith(
                f"error: {path} document {int(r.source.rsplit(' ', 1)[1])}: "
            )
    # with a default namespace, the first document goes through
    again = apply_manifests(
        dyn, path, ManifestOptions(field_manager="kubeset-e2e", namespace="default")
    )
    assert [r.ok for r in again] == [True, False, False, False, True, False, True]
    delete_manifests(dyn, path, ManifestOptions(namespace="default"))


def test_command_line(apiserver: ApiServer, tmp_path: Path) -> None:
    name = f"cli-{uuid.uuid4().hex[:6]}"
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "cm.yaml").write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata: {{a: b}}\n"
        "---\nkind: Nothing\n"
    )
    out = kubeset_cli(apiserver, tmp_path, "apply", "-f", str(tmp_path / "m"))
    assert out.returncode == 1
    assert out.stdout == f"configmap/{name} created\n"  # the kubeconfig's namespace, "default"
    assert (
        out.stderr
        == f"error: {tmp_path / 'm' / 'cm.yaml'} document 2: the object has no apiVersion\n"
    )
    out = kubeset_cli(apiserver, tmp_path, "delete", "-f", str(tmp_path / "m"))
    assert out.stdout == f"configmap/{name} deleted\n"


def test_readme_dynamic_tour_runs(apiserver: ApiServer, dyn: DynamicClient, tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "app.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\n"
        "spec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n"
        "    spec: {containers: [{name: c, image: nginx}]}\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: default}\n"
    )
    try:
        out = run_tour(apiserver, tmp_path, "## Tour: discovery, dynamic client, manifests")
        assert out.returncode == 0, out.stderr[-3000:]
        assert out.stdout.splitlines() == [
            "True ()",
            "Deployment apps/v1 True",
            "['a', 'b']",
            "deployment.apps/web created",
            "configmap/settings created",
            "2 2",
        ]
        assert (tmp_path / "cache" / "discovery").is_dir()
    finally:
        delete_manifests(dyn, tmp_path / "deploy")
