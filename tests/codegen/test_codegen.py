"""kubeset.codegen: names, loading (and its errors), normalizing into an ApiDescription."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubeset.codegen.description import GVK, ModelRef
from kubeset.codegen.loader import LoadedSpec, load, releases
from kubeset.codegen.naming import python_name
from kubeset.codegen.normalize import describe, module_of

PROJECT = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kubeset.codegen", *args],
        check=False,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or PROJECT,
        timeout=300,
    )


def assert_clear_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("kubeset-gen: error: "), proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("json_name", "expected"),
    [
        ("podIPs", "pod_ips"),
        ("targetWWNs", "target_wwns"),
        ("openAPIV3Schema", "open_api_v3_schema"),
        ("hostIPC", "host_ipc"),
        ("podCIDRs", "pod_cidrs"),
        ("nonResourceURLs", "non_resource_urls"),
        ("insecureSkipTLSVerify", "insecure_skip_tls_verify"),
        ("stubPKCS10Request", "stub_pkcs10_request"),
        ("fieldsV1", "fields_v1"),
        ("volumeID", "volume_id"),
        ("x-kubernetes-preserve-unknown-fields", "x_kubernetes_preserve_unknown_fields"),
        ("$ref", "ref_"),
        ("$schema", "schema_"),
        ("for", "for_"),
        ("from", "from_"),
        ("continue", "continue_"),
        ("schema", "schema_"),
        ("json", "json_"),
        ("copy", "copy_"),
        ("type", "type"),
        ("list", "list_"),
        ("str", "str_"),
        ("alias", "alias_"),
        ("set", "set"),
        ("kind", "kind"),
        ("apiVersion", "api_version"),
    ],
)
def test_python_names(json_name: str, expected: str) -> None:
    assert python_name(json_name) == expected


def test_module_of_uses_the_go_package_short_name() -> None:
    assert module_of("io.k8s.api.core.v1.Pod") == ModelRef("models.core.v1", "Pod")
    assert module_of("io.k8s.api.rbac.v1.Role") == ModelRef("models.rbac.v1", "Role")
    assert module_of("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta") == ModelRef(
        "models.meta.v1", "ObjectMeta"
    )
    assert (
        module_of(
            "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"
        ).module
        == "models.apiextensions.v1"
    )
    assert (
        module_of("io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService").module
        == "models.apiregistration.v1"
    )
    assert (
        module_of("io.k8s.api.resource.v1beta2.ResourceClaim").module == "models.resource.v1beta2"
    )


def _mini_swagger(**extra_defs: Any) -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": "Mini", "version": "v0"},
        "paths": {},
        "definitions": {
            "io.example.v1.Thing": {"type": "object", "properties": {"name": {"type": "string"}}},
            **extra_defs,
        },
    }


def test_snake_case_clashes_get_distinct_names(tmp_path: Path) -> None:
    """fooBar and foo_bar both snake-case to foo_bar: the one already named so keeps it, the other
    becomes foo_bar_2; both stay reachable by attribute and by JSON name and round-trip exactly."""
    from kubeset.codegen.emit import generate, write_tree

    props = {
        "podIPs": {"type": "string"},
        "pod_ips": {"type": "string"},
        "fooBar": {"type": "string"},
        "foo-bar": {"type": "string"},
        "other": {"type": "string"},
    }
    spec = _mini_swagger(
        **{
            "io.example.v1.Clash": {"type": "object", "properties": props},
            "io.example.v1.Plain": {"type": "object", "properties": {"podIPs": {"type": "string"}}},
        }
    )
    files = generate(LoadedSpec(doc=spec, source="mini.json", sha256=None), "kubetest")
    again = generate(LoadedSpec(doc=spec, source="mini.json", sha256=None), "kubetest")
    assert files == again  # deterministic
    write_tree(files, tmp_path / "kubetest")
    code = """
import kubeset
from kubetest.models.example.v1 import Clash, Plain
data = {"podIPs": "a", "pod_ips": "b", "fooBar": "c", "foo-bar": "d", "other": "e"}
obj = Clash.model_validate(data)
assert (obj.pod_ips, obj.pod_ips_2, obj.foo_bar, obj.foo_bar_2) == ("b", "a", "d", "c"), obj  # "foo-bar" sorts first
assert kubeset.to_dict(obj) == data
assert kubeset.to_dict(Clash(pod_ips_2="a")) == {"podIPs": "a"}
assert Plain.model_validate({"podIPs": "x"}).pod_ips == "x"  # no clash there: the usual name
print("ok")
"""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.stdout.strip() == "ok", proc.stderr[-2000:]


# ---------------------------------------------------------------- normalizing the real spec


@pytest.fixture(scope="module")
def api_v136(shared_dir: Path) -> Any:
    return describe(load(spec=str(shared_dir / "openapi/kubernetes/v1.36/swagger.json")))


def _resource(api: Any, api_version: str, plural: str) -> Any:
    found = [r for r in api.resources if r.gvk.api_version == api_version and r.plural == plural]
    assert len(found) == 1, (api_version, plural, found)
    return found[0]


def test_resources_from_paths(api_v136: Any) -> None:
    pods = _resource(api_v136, "v1", "pods")
    assert pods.gvk == GVK("", "v1", "Pod")
    assert pods.namespaced and pods.package == "core"
    assert pods.verbs == (
        "apply",
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
    )
    assert pods.model == ModelRef("models.core.v1", "Pod")
    assert pods.list_model == ModelRef("models.core.v1", "PodList")
    subs = pods.subresources
    assert {
        "status",
        "log",
        "eviction",
        "binding",
        "ephemeralcontainers",
        "resize",
        "exec",
        "attach",
        "portforward",
        "proxy",
    } <= set(subs)
    assert (
        subs["status"].verbs == ("apply", "get", "patch", "update") and subs["status"].model is None
    )
    assert subs["eviction"].verbs == ("create",) and subs["eviction"].model == ModelRef(
        "models.policy.v1", "Eviction"
    )
    assert subs["exec"].verbs == ("connect",)
    assert subs["log"].verbs == ("get",)

    nodes = _resource(api_v136, "v1", "nodes")
    assert not nodes.namespaced
    namespaces = _resource(api_v136, "v1", "namespaces")
    assert not namespaces.namespaced and "finalize" in namespaces.subresources

    deployments = _resource(api_v136, "apps/v1", "deployments")
    assert deployments.package == "apps" and deployments.namespaced
    assert deployments.subresources["scale"].model == ModelRef("models.autoscaling.v1", "Scale")

    crds = _resource(api_v136, "apiextensions.k8s.io/v1", "customresourcedefinitions")
    assert crds.package == "apiextensions" and not crds.namespaced
    assert (
        _resource(api_v136, "apiregistration.k8s.io/v1", "apiservices").package == "apiregistration"
    )
    assert _resource(api_v136, "rbac.authorization.k8s.io/v1", "roles").package == "rbac"
    assert _resource(api_v136, "v1", "serviceaccounts").subresources["token"].model == ModelRef(
        "models.authentication.v1", "TokenRequest"
    )
    reviews = _resource(api_v136, "authentication.k8s.io/v1", "tokenreviews")
    assert reviews.verbs == ("create",) and reviews.list_model is None
    assert _resource(api_v136, "certificates.k8s.io/v1", "certificatesigningrequests").subresources[
        "approval"
    ].verbs == ("apply", "get", "patch", "update")


def test_special_types_are_not_models(api_v136: Any) -> None:
    assert "io.k8s.apimachinery.pkg.util.intstr.IntOrString" in api_v136.definitions
    assert "io.k8s.apimachinery.pkg.util.intstr.IntOrString" not in api_v136.models
    assert api_v136.gvks[GVK("", "v1", "Pod")] == ModelRef("models.core.v1", "Pod")
    refs = json.dumps(api_v136.definitions["io.k8s.api.core.v1.Pod"])
    assert '"#/definitions/io.k8s.api.core.v1.PodSpec"' in refs


def test_supplement_adds_the_kinds_the_spec_leaves_out(api_v136: Any) -> None:
    log = "io.k8s.api.core.v1.PodLogOptions"
    assert api_v136.models[log] == ModelRef("models.core.v1", "PodLogOptions")
    assert api_v136.gvks[GVK("", "v1", "RangeAllocation")] == ModelRef(
        "models.core.v1", "RangeAllocation"
    )
    assert api_v136.gvks[GVK("batch", "v1", "ListOptions")] == ModelRef(
        "models.meta.v1", "ListOptions"
    )
    props = api_v136.definitions[log]["properties"]
    assert props["sinceTime"] == {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time"}
    # field descriptions come from the query parameters of the log operation in the spec
    assert "tail" in props["tailLines"]["description"].lower()
    assert not any(k.startswith("x-kubeset") for k in api_v136.definitions[log])


def test_supplement_never_overrides_or_dangles() -> None:
    from kubeset.codegen.supplement import add_supplement

    meta = "io.k8s.apimachinery.pkg.apis.meta.v1."
    own = {"type": "object", "properties": {"mine": {"type": "string"}}}
    delete = {
        "type": "object",
        "x-kubernetes-group-version-kind": [
            {"group": "g.io", "version": "v2", "kind": "DeleteOptions"}
        ],
    }
    defs = {meta + "ListOptions": own, meta + "DeleteOptions": delete}
    out = add_supplement(defs, {})
    assert out[meta + "ListOptions"] is own  # a spec's own definition wins
    assert out[meta + "GetOptions"]["x-kubernetes-group-version-kind"] == [
        {"group": "g.io", "version": "v2", "kind": "GetOptions"}
    ]
    # kinds needing ObjectMeta, ObjectReference or Time are left out when the spec lacks them
    assert (
        "io.k8s.api.core.v1.RangeAllocation" not in out
        and "io.k8s.api.core.v1.PodLogOptions" not in out
    )
    assert "io.k8s.api.core.v1.PodExecOptions" not in out  # the spec has no core/v1 package
    with_core = add_supplement({**defs, "io.k8s.api.core.v1.Pod": own}, {})
    assert "io.k8s.api.core.v1.PodExecOptions" in with_core  # needs nothing else
    assert add_supplement({"x.Y": own}, {}) == {
        "x.Y": own
    }  # a CRD-only or foreign spec gains nothing


def test_openapi3_directory(tmp_path: Path, shared_dir: Path) -> None:
    """A directory of /openapi/v3/<group>/<version> documents (refs as components, allOf wrappers)."""
    swagger = json.loads((shared_dir / "openapi/kubernetes/v1.36/swagger.json").read_text())

    def to_v3(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if k == "$ref" and isinstance(v, str) and v.startswith("#/definitions/"):
                    return {
                        "allOf": [{"$ref": "#/components/schemas/" + v[len("#/definitions/") :]}],
                        **{a: b for a, b in node.items() if a != "$ref"},
                    }
                out[k] = to_v3(v)
            return out
        if isinstance(node, list):
            return [to_v3(v) for v in node]
        return node

    schemas = to_v3(swagger["definitions"])
    docs = {"api/v1": "/api/v1/", "apis/apps/v1": "/apis/apps/v1/"}
    for folder, prefix in docs.items():
        paths = {}
        for p, item in swagger["paths"].items():
            if not p.startswith(prefix):
                continue
            new_item = {}
            for method, op in item.items():
                if method == "parameters" or not isinstance(op, dict):
                    continue
                op = {
                    k: v for k, v in op.items() if k not in ("parameters", "consumes", "produces")
                }
                if method in ("patch", "put", "post"):
                    ctypes = item[method].get("consumes", ["application/json"])
                    op["requestBody"] = {"content": {c: {"schema": {}} for c in ctypes}}
                resp = op.get("responses", {}).get("200", {})
                if "schema" in resp:
                    op["responses"] = {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": to_v3(resp["schema"])}},
                        }
                    }
                new_item[method] = op
            paths[p] = new_item
        doc = {
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": "unversioned"},
            "paths": paths,
            "components": {"schemas": schemas},
        }
        target = tmp_path / folder
        target.mkdir(parents=True)
        (target / "doc.json").write_text(json.dumps(doc))
    api = describe(load(spec=str(tmp_path)))
    pods = _resource(api, "v1", "pods")
    assert "apply" in pods.verbs and pods.list_model == ModelRef("models.core.v1", "PodList")
    assert _resource(api, "apps/v1", "deployments").subresources["scale"].model == ModelRef(
        "models.autoscaling.v1", "Scale"
    )
    assert '"#/definitions/io.k8s.api.core.v1.PodSpec"' in json.dumps(
        api.definitions["io.k8s.api.core.v1.Pod"]
    )


# ---------------------------------------------------------------- bad input: one clear error, no traceback


def test_missing_spec_file(tmp_path: Path) -> None:
    proc = run_cli(
        "generate", "--spec", str(tmp_path / "nope.json"), "--out", str(tmp_path / "out")
    )
    assert_clear_error(proc, "nope.json", "not found")


def test_spec_not_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"swagger": "2.0", oops')
    assert_clear_error(
        run_cli("generate", "--spec", str(bad), "--out", str(tmp_path / "out")),
        "bad.json",
        "not JSON",
        "line 1",
    )


def test_json_that_is_not_openapi(tmp_path: Path) -> None:
    doc = tmp_path / "package.json"
    doc.write_text('{"name": "left-pad", "version": "1.0.0"}')
    assert_clear_error(
        run_cli("generate", "--spec", str(doc), "--out", str(tmp_path / "out")),
        "not an OpenAPI/Swagger document",
        "name, version",
    )
    arr = tmp_path / "arr.json"
    arr.write_text("[1, 2]")
    assert_clear_error(
        run_cli("describe", "--spec", str(arr)), "not an OpenAPI/Swagger document", "list"
    )


def test_dangling_ref(tmp_path: Path) -> None:
    spec = _mini_swagger(
        **{
            "io.example.v1.Holder": {
                "type": "object",
                "properties": {"thing": {"$ref": "#/definitions/io.example.v1.Missing"}},
            }
        }
    )
    path = tmp_path / "dangling.json"
    path.write_text(json.dumps(spec))
    proc = run_cli("generate", "--spec", str(path), "--out", str(tmp_path / "out"))
    assert_clear_error(
        proc, "io.example.v1.Holder.thing", "'#/definitions/io.example.v1.Missing' resolves nowhere"
    )
    assert not (tmp_path / "out").exists()


def test_unknown_release(tmp_path: Path) -> None:
    proc = run_cli("generate", "--release", "1.99", "--out", str(tmp_path / "out"))
    assert_clear_error(
        proc, "unknown release '1.99'", "known releases: 1.32, 1.33, 1.34, 1.35, 1.36"
    )
    assert_clear_error(run_cli("describe", "--release", "latest"), "not a release number")


@pytest.fixture()
def http_dir(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, directory=str(root), **kw)

        def log_message(self, *a: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def test_download_with_sha256_mismatch(tmp_path: Path, http_dir: tuple[str, Path]) -> None:
    base, root = http_dir
    body = json.dumps(_mini_swagger()).encode()
    (root / "v1.36.0").mkdir()
    (root / "v1.36.0" / "swagger.json").write_bytes(body)
    env = {
        "KUBESET_OPENAPI_DIR": str(tmp_path / "empty"),
        "KUBESET_OPENAPI_CACHE": str(tmp_path / "cache"),
        "KUBESET_RELEASE_URL": base + "/{tag}/swagger.json",
    }
    proc = run_cli("generate", "--release", "1.36", "--out", str(tmp_path / "out"), env=env)
    expected = releases()["releases"]["1.36"]["sha256"]
    assert_clear_error(
        proc, "sha256 mismatch", f"expected {expected}", hashlib.sha256(body).hexdigest()
    )
    assert not (tmp_path / "cache" / "kubernetes" / "v1.36" / "swagger.json").exists()
    # a plain URL with --sha256: same check
    proc = run_cli("describe", "--spec", base + "/v1.36.0/swagger.json", "--sha256", "0" * 64)
    assert_clear_error(proc, "sha256 mismatch")
    proc = run_cli(
        "describe",
        "--spec",
        base + "/v1.36.0/swagger.json",
        "--sha256",
        hashlib.sha256(body).hexdigest(),
    )
    assert proc.returncode == 0, proc.stderr
    assert_clear_error(run_cli("describe", "--spec", base + "/missing.json"), "HTTP 404")


def test_release_download_verified_and_cached(
    tmp_path: Path, http_dir: tuple[str, Path], shared_dir: Path
) -> None:
    base, root = http_dir
    (root / "v1.32.0").mkdir()
    real = (shared_dir / "openapi/kubernetes/v1.32/swagger.json").read_bytes()
    (root / "v1.32.0" / "swagger.json").write_bytes(real)
    env = {
        "KUBESET_OPENAPI_DIR": str(tmp_path / "empty"),
        "KUBESET_OPENAPI_CACHE": str(tmp_path / "cache"),
        "KUBESET_RELEASE_URL": base + "/{tag}/swagger.json",
    }
    proc = run_cli("describe", "--release", "1.32", env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "cache" / "kubernetes" / "v1.32" / "swagger.json").read_bytes() == real
    assert any(r["kind"] == "Pod" for r in json.loads(proc.stdout))


def test_local_release_file_must_match_recorded_sha(tmp_path: Path) -> None:
    fake = tmp_path / "specs" / "kubernetes" / "v1.35"
    fake.mkdir(parents=True)
    (fake / "swagger.json").write_text(json.dumps(_mini_swagger()))
    proc = run_cli(
        "describe", "--release", "1.35", env={"KUBESET_OPENAPI_DIR": str(tmp_path / "specs")}
    )
    assert_clear_error(proc, "sha256 mismatch", "v1.35")


def test_releases_table_matches_the_shared_specs(shared_dir: Path) -> None:
    table = releases()
    assert table["pinned"] == "1.36"
    for minor, entry in table["releases"].items():
        path = shared_dir / "openapi/kubernetes" / f"v{minor}" / "swagger.json"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        assert entry["url"].startswith("https://raw.githubusercontent.com/kubernetes/kubernetes/v")


def test_yaml_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n")
    assert_clear_error(run_cli("describe", "--spec", str(bad)), "bad.yaml", "not YAML")
    crd = tmp_path / "crd.yaml"
    crd.write_text(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\nspec: {names: {kind: X}}\n"
    )
    assert_clear_error(run_cli("describe", "--spec", str(crd)), "lacks spec.group")
