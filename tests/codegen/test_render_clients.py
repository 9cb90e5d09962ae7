"""render_clients: names, verbs -> mixins, determinism, laziness; generated clients over HTTP."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fakeapi.fakeserver import FakeApiServer
from kubeset.codegen.clients import GenClientsError, group_attribute, method_name, render_clients
from kubeset.codegen.description import GVK, ApiDescription, ModelRef, Resource, Subresource
from kubeset.rest import RESTClient, SessionTransport

PROJECT = Path(__file__).resolve().parents[2]
ALL = ("apply", "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@pytest.mark.parametrize(
    ("kind", "plural", "expected"),
    [
        ("ConfigMap", "configmaps", "config_maps"),
        ("NetworkPolicy", "networkpolicies", "network_policies"),
        ("Endpoints", "endpoints", "endpoints"),
        ("CSIStorageCapacity", "csistoragecapacities", "csi_storage_capacities"),
        ("APIService", "apiservices", "api_services"),
        ("IPAddress", "ipaddresses", "ip_addresses"),
        ("ServiceCIDR", "servicecidrs", "service_cidrs"),
        ("Ingress", "ingresses", "ingresses"),
        ("ComponentStatus", "componentstatuses", "component_statuses"),
        ("Widget", "gadgets", "gadgets"),  # a CRD whose plural is not the kind's
        ("Import", "import", "import_"),  # keywords get an underscore
    ],
)
def test_method_names(kind: str, plural: str, expected: str) -> None:
    assert method_name(kind, plural) == expected


def test_method_names_of_the_whole_v1_36_api_are_unique_identifiers(shared_dir: Path) -> None:
    from kubeset.codegen.loader import load_spec
    from kubeset.codegen.normalize import describe

    api = describe(load_spec(str(shared_dir / "openapi/kubernetes/v1.36/swagger.json")))
    per_group: dict[str, dict[str, str]] = {}
    for r in api.resources:
        name = method_name(r.gvk.kind, r.plural)
        assert name.isidentifier(), name
        # the name spells the plural with underscores between the kind's words
        assert name.replace("_", "") == r.plural, (r.gvk.kind, r.plural, name)
        seen = per_group.setdefault(group_attribute(r), {})
        assert name not in seen, f"{name} for {seen.get(name)} and {r.plural}"
        seen[name] = r.plural
    assert {"core_v1", "apps_v1", "rbac_v1", "autoscaling_v2", "networking_v1"} <= set(per_group)
    assert per_group["core_v1"]["persistent_volume_claims"] == "persistentvolumeclaims"


def _api() -> ApiDescription:
    def ref(mod: str, name: str) -> ModelRef:
        return ModelRef(f"models.{mod}", name)

    widget = Resource(
        gvk=GVK("example.com", "v1", "Widget"),
        plural="widgets",
        namespaced=True,
        verbs=ALL,
        package="example",
        model=ref("example.v1", "Widget"),
        list_model=ref("example.v1", "WidgetList"),
        subresources={
            "status": Subresource("status", ("apply", "get", "patch", "update"), None),
            "scale": Subresource(
                "scale", ("apply", "get", "patch", "update"), ref("autoscaling.v1", "Scale")
            ),
        },
    )
    gadget = Resource(
        gvk=GVK("example.com", "v1", "Gadget"),
        plural="gadgets",
        namespaced=False,
        verbs=("get", "list"),
        package="example",
        model=ref("example.v1", "Gadget"),
        list_model=ref("example.v1", "GadgetList"),
    )
    review = Resource(
        gvk=GVK("example.com", "v1", "Review"),
        plural="reviews",
        namespaced=False,
        verbs=("create",),
        package="example",
        model=ref("example.v1", "Review"),
        list_model=None,
    )
    # a second "Scale" class from another module must not shadow the first
    other = Resource(
        gvk=GVK("other.io", "v2", "Scale"),
        plural="scales",
        namespaced=True,
        verbs=("get",),
        package="other",
        model=ref("other.v2", "Scale"),
        list_model=None,
        subresources={"scale": Subresource("scale", ("get",), ref("autoscaling.v1", "Scale"))},
    )
    return ApiDescription(
        title="Example",
        version="v0.1",
        definitions={},
        models={},
        gvks={},
        resources=[widget, review, gadget, other],
    )


def test_render_is_deterministic_and_declarative() -> None:
    files = render_clients(_api(), "pkg")
    assert files == render_clients(_api(), "pkg")
    assert list(files) == [
        "clients/__init__.py",
        "clients/example_v1.py",
        "clients/other_v2.py",
        "clientset.py",
    ]
    text = files["clients/example_v1.py"]
    for source in files.values():
        compile(source, "generated", "exec")
        assert "def _" not in source and "import requests" not in source  # declarations only
    assert "class WidgetsClient(\n    HasGet[Widget, R],\n    HasList[WidgetList, R]," in text
    assert (
        "HasStatus[Widget, R]" in text
        and "HasScale[Scale, R]" in text
        and 'subresource_models={"scale": Scale}' in text
    )
    gadget = text[text.index("class GadgetsClient(") : text.index("class ReviewsClient(")]
    assert (
        "HasGet[Gadget, R]" in gadget
        and "HasList[GadgetList, R]" in gadget
        and "HasCreate" not in gadget
    )
    assert 'def widgets(self, namespace: str = "") -> WidgetsClient[R]:' in text
    assert "def gadgets(self) -> GadgetsClient[R]:" in text
    other = files["clients/other_v2.py"]
    # the resource's own model keeps its name; the other module's class gets an alias
    assert "from pkg.models.other.v2 import Scale\n" in other
    assert "from pkg.models.autoscaling.v1 import Scale as autoscaling_v1_Scale" in other
    assert "HasGet[Scale, R]" in other and "HasScale[autoscaling_v1_Scale, R]" in other
    assert (
        'example_v1: LazyGroup[ExampleV1Client[R]] = LazyGroup("pkg.clients.example_v1", "ExampleV1Client")'
        in files["clientset.py"]
    )
    # one declaration of the groups serves the sync and the asyncio clientset
    assert "class Clientset(ClientsetGroups[Request], ClientsetBase):" in files["clientset.py"]
    assert (
        "class AsyncClientset(ClientsetGroups[AsyncRequest], AsyncClientsetBase):"
        in files["clientset.py"]
    )


def test_two_resources_with_one_method_name_are_refused() -> None:
    api = _api()
    clash = Resource(
        gvk=GVK("example.com", "v1", "Widget"),
        plural="widgets",
        namespaced=True,
        verbs=("get",),
        package="example",
        model=ModelRef("models.example.v1", "Widget2"),
        list_model=None,
    )
    api.resources.append(clash)
    with pytest.raises(GenClientsError, match="widgets"):
        render_clients(api, "pkg")


def test_rendered_clients_work_over_http(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Render into a throwaway package with hand-written models, import it, use it."""
    root = tmp_path / "genpkg"
    for rel, text in render_clients(_api(), "genpkg").items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    models = textwrap.dedent("""
        from pydantic import BaseModel, ConfigDict
        class M(BaseModel):
            model_config = ConfigDict(extra="allow")
            metadata: dict | None = None
            spec: dict | None = None
            status: dict | None = None
        class Widget(M): pass
        class Gadget(M): pass
        class Review(M): pass
        class Scale(M): pass
        class L(BaseModel):
            model_config = ConfigDict(extra="allow")
            items: list[Widget] | None = None
            metadata: dict | None = None
        class WidgetList(L): pass
        class GadgetList(L): pass
    """)
    for mod in ("example/v1", "autoscaling/v1", "other/v2"):
        (root / "models" / mod).parent.mkdir(parents=True, exist_ok=True)
        (root / "models" / f"{mod}.py").write_text(models)
    for d in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
        (d / "__init__.py").touch()
    monkeypatch.syspath_prepend(str(tmp_path))
    server = FakeApiServer()
    server.add_kind(
        "/apis/example.com/v1", "widgets", "Widget", True, "status", "scale", strategic=False
    )
    server.add_kind("/apis/example.com/v1", "gadgets", "Gadget", False)
    server.start()
    try:
        clientset = importlib.import_module("genpkg.clientset")
        cs = clientset.Clientset(RESTClient(SessionTransport(), host=server.url))
        widgets = cs.example_v1.widgets("ns")
        created = widgets.create({"metadata": {"name": "w"}, "spec": {"replicas": 2}})
        assert (
            type(created).__module__ == "genpkg.models.example.v1"
            and type(created).__name__ == "Widget"
        )
        assert widgets.get_scale("w").spec == {"replicas": 2}
        assert [w.metadata["name"] for w in widgets.list().items] == ["w"]
        assert cs.example_v1.gadgets().list().items == []
        assert not hasattr(cs.example_v1.gadgets(), "create")
    finally:
        server.stop()
        for name in [m for m in sys.modules if m == "genpkg" or m.startswith("genpkg.")]:
            del sys.modules[name]


@pytest.mark.skipif(
    not (PROJECT / "generated/kubernetes/clientset.py").exists(), reason="no generated clients"
)
def test_importing_the_clientset_loads_no_model_until_a_group_is_used() -> None:
    code = textwrap.dedent("""
        import json, sys
        from kubeset.kubernetes import Clientset
        from kubeset.rest import SessionTransport
        loaded = lambda: sorted(m for m in sys.modules if m.startswith(("kubeset.kubernetes.models", "kubeset.kubernetes.clients.")))
        cs = Clientset(SessionTransport(), host="http://127.0.0.1:9")
        before = loaded()
        cs.apps_v1.deployments("x")
        after_apps = loaded()
        print(json.dumps([before, after_apps]))
    """)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    before, after_apps = json.loads(out)
    assert before == []
    assert (
        "kubeset.kubernetes.clients.apps_v1" in after_apps
        and "kubeset.kubernetes.models.apps.v1" in after_apps
    )
    assert not any(m.endswith(("rbac.v1", "clients.core_v1", "batch.v1")) for m in after_apps)


@pytest.mark.skipif(
    not (PROJECT / "generated/kubernetes/clientset.py").exists(), reason="no generated clients"
)
def test_the_committed_clients_match_a_fresh_render(
    shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kubeset.codegen.loader import load_release
    from kubeset.codegen.normalize import describe

    monkeypatch.setenv("KUBESET_OPENAPI_DIR", str(shared_dir / "openapi"))
    api = describe(load_release("1.36"))
    for rel, text in render_clients(api, "kubeset.kubernetes").items():
        assert (PROJECT / "generated/kubernetes" / rel).read_text() == text, rel
