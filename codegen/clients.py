"""Typed client emitter: ``render_clients(api, package)`` -> ``{relative path: text}``.

For every group version of the :class:`ApiDescription`:

- ``clients/<package>_<version>.py``: one small class per resource (``PodsClient``) that inherits
  the runtime's mixins for exactly the verbs and subresources the spec declares
  (:mod:`kubeset.resource`), and ``CoreV1Client`` with one method per resource: ``pods(namespace)``
  for namespaced resources, ``nodes()`` for cluster-scoped ones;
- ``clientset.py``: ``Clientset(config)`` with one lazily imported attribute per group version
  (``core_v1``, ``apps_v1``, ...) and ``discovery``;
- ``clients/__init__.py``.

Generated code is declarations only; every request is built by the runtime.  Output is
deterministic (sorted everywhere).
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

from kubeset.codegen.description import ApiDescription, ModelRef, Resource
from kubeset.codegen.errors import GenError
from kubeset.codegen.naming import snake_case
from kubeset.codegen.templating import environment

__all__ = ["GenClientsError", "group_attribute", "method_name", "render_clients"]


# verbs of the resource itself -> (mixin, type argument: "model" | "list" | None)
_VERB_MIXINS: tuple[tuple[str, str, str | None], ...] = (
    ("get", "HasGet", "model"),
    ("list", "HasList", "list"),
    ("watch", "HasWatch", "model"),
    ("create", "HasCreate", "model"),
    ("update", "HasUpdate", "model"),
    ("patch", "HasPatch", "model"),
    ("apply", "HasApply", "model"),
    ("delete", "HasDelete", "model"),
    ("deletecollection", "HasDeleteCollection", None),
)
# subresource -> (mixin, type argument: "model" (the parent's) | "sub" (its own model) | None)
_SUB_MIXINS: dict[str, tuple[str, str | None]] = {
    "status": ("HasStatus", "model"),
    "scale": ("HasScale", "sub"),
    "eviction": ("HasEviction", "sub"),
    "binding": ("HasBinding", "sub"),
    "ephemeralcontainers": ("HasEphemeralContainers", "model"),
    "resize": ("HasResize", "model"),
    "token": ("HasToken", "sub"),
    "approval": ("HasApproval", "model"),
    "finalize": ("HasFinalize", "model"),
    "log": ("HasLog", None),
    "exec": ("HasExec", None),
    "attach": ("HasAttach", None),
    "portforward": ("HasPortForward", None),
}
_RESERVED_METHODS = frozenset({"rest", "group", "version"})
_IDENT = re.compile(r"[^0-9a-zA-Z_]+")


class GenClientsError(GenError, ValueError):
    """The description cannot be turned into clients (e.g. two resources with one method name)."""


def method_name(kind: str, plural: str) -> str:
    """The client method of a resource: snake_case of the kind, pluralized like the spec's plural.

    ConfigMap/configmaps -> config_maps, NetworkPolicy/networkpolicies -> network_policies,
    Endpoints/endpoints -> endpoints, CSIStorageCapacity/csistoragecapacities ->
    csi_storage_capacities.  When the plural does not start like the kind, the plural is used.
    """
    words = [w for w in snake_case(kind).split("_") if w]
    lower = "".join(words)
    plural_l = plural.lower()
    common = 0
    for a, b in zip(lower, plural_l):
        if a != b:
            break
        common += 1
    boundaries: list[int] = []
    pos = 0
    for w in words[:-1]:
        pos += len(w)
        boundaries.append(pos)
    if words and lower.isalnum() and (not boundaries or common > boundaries[-1]):
        out = []
        for i, ch in enumerate(plural_l):
            if i in boundaries:
                out.append("_")
            out.append(ch)
        name = "".join(out)
    else:
        name = _IDENT.sub("_", plural_l).strip("_")
    if not name or name[0].isdigit():
        name = "r_" + name
    if keyword.iskeyword(name) or name in _RESERVED_METHODS:
        name += "_"
    return name


def group_attribute(resource: Resource) -> str:
    """The Clientset attribute of a resource's group version: ``core_v1``, ``apps_v1``, ..."""
    pkg = _IDENT.sub("_", resource.package.lower()).strip("_") or "core"
    return f"{pkg}_{resource.gvk.version.lower()}"


def _pascal(snake: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in snake.split("_") if p)


@dataclass
class _Imports:
    """Model imports of one module; names used by two modules get an alias."""

    package: str
    by_ref: dict[ModelRef, str] = field(default_factory=dict)

    def name(self, ref: ModelRef) -> str:
        found = self.by_ref.get(ref)
        if found is None:
            taken = set(self.by_ref.values())
            found = ref.name
            if found in taken:
                found = _IDENT.sub("_", ref.module.removeprefix("models.")) + "_" + ref.name
            self.by_ref[ref] = found
        return found

    def lines(self) -> list[tuple[str, list[str]]]:
        modules: dict[str, list[str]] = {}
        for ref, local in self.by_ref.items():
            modules.setdefault(ref.module, []).append(
                ref.name if local == ref.name else f"{ref.name} as {local}"
            )
        return [(f"{self.package}.{m}", sorted(names)) for m, names in sorted(modules.items())]


@dataclass
class _ResourceView:
    method: str
    class_name: str
    kind: str
    plural: str
    group: str
    version: str
    namespaced: bool
    verbs: list[str]
    subresources: list[str]
    model: str
    list_model: str | None
    list_kind: str | None
    bases: list[str]
    sub_models: list[tuple[str, str]]


def _resource_view(r: Resource, method: str, imports: _Imports) -> _ResourceView:
    model = imports.name(r.model)
    list_model = imports.name(r.list_model) if r.list_model is not None else None
    bases: list[str] = []
    for verb, mixin, arg in _VERB_MIXINS:
        if verb not in r.verbs:
            continue
        if arg == "list":
            if list_model is None:
                continue  # a list verb without a list schema: nothing typed to return
            bases.append(f"{mixin}[{list_model}, R]")
        elif arg == "model":
            bases.append(f"{mixin}[{model}, R]")
        else:
            bases.append(f"{mixin}[R]")
    sub_models: list[tuple[str, str]] = []
    subs: list[str] = []
    for name in sorted(r.subresources):
        if name not in _SUB_MIXINS:
            continue  # connect-only subresources (exec, attach, portforward, proxy)
        sub = r.subresources[name]
        mixin, arg = _SUB_MIXINS[name]
        if arg == "sub":
            if sub.model is None:
                continue
            local = imports.name(sub.model)
            sub_models.append((name, local))
            bases.append(f"{mixin}[{local}, R]")
        elif arg == "model":
            bases.append(f"{mixin}[{model}, R]")
        else:
            bases.append(f"{mixin}[R]")
        subs.append(name)
    if not bases:
        bases.append("ResourceClient[R]")
    list_kind = r.list_model.name if r.list_model is not None else None
    return _ResourceView(
        method=method,
        class_name=_pascal(method) + "Client",
        kind=r.gvk.kind,
        plural=r.plural,
        group=r.gvk.group,
        version=r.gvk.version,
        namespaced=r.namespaced,
        verbs=sorted(r.verbs),
        subresources=subs,
        model=model,
        list_model=list_model,
        list_kind=list_kind,
        bases=bases,
        sub_models=sub_models,
    )


def _header(api: ApiDescription) -> str:
    source = " ".join(p for p in (api.title or "Kubernetes", api.version) if p)
    return f"# Generated by kubeset-gen from {source}. DO NOT EDIT."


def render_clients(api: ApiDescription, package: str) -> dict[str, str]:
    """``{"clients/__init__.py", "clients/<pkg>_<version>.py"..., "clientset.py"}`` for ``api``."""
    groups: dict[str, list[Resource]] = {}
    group_of_attr: dict[str, str] = {}
    for r in sorted(api.resources, key=lambda r: (r.gvk.group, r.gvk.version, r.plural)):
        attr = group_attribute(r)
        owner = group_of_attr.setdefault(attr, r.gvk.group)
        if owner != r.gvk.group:
            # two API groups with one Go package name: fall back to the group's own name
            attr = _IDENT.sub("_", r.gvk.group.lower()).strip("_") + "_" + r.gvk.version.lower()
            group_of_attr.setdefault(attr, r.gvk.group)
        groups.setdefault(attr, []).append(r)

    env = environment(trim_blocks=True)
    header = _header(api)
    files: dict[str, str] = {}
    entries: list[dict[str, str]] = []
    for attr in sorted(groups):
        resources = groups[attr]
        imports = _Imports(package)
        views: list[_ResourceView] = []
        methods: dict[str, str] = {}
        for r in sorted(resources, key=lambda r: (r.plural, r.gvk.kind)):
            method = method_name(r.gvk.kind, r.plural)
            if method in methods:
                method = method_name(r.plural, r.plural)  # the plural itself
            if method in methods:
                raise GenClientsError(
                    f"{r.gvk.api_version}: resources {methods[method]!r} and {r.plural!r} both map to"
                    f" the client method {method!r}"
                )
            methods[method] = r.plural
            views.append(_resource_view(r, method, imports))
        first = resources[0]
        class_name = _pascal(attr) + "Client"
        gv = first.gvk.api_version
        mixins = sorted({b.split("[", 1)[0] for v in views for b in v.bases})
        files[f"clients/{attr}.py"] = env.get_template("clients.py.jinja2").render(
            header=header,
            package=package,
            group=first.gvk.group,
            version=first.gvk.version,
            group_version=gv,
            class_name=class_name,
            resources=sorted(views, key=lambda v: v.method),
            model_imports=imports.lines(),
            mixins=mixins,
        )
        entries.append(
            {
                "attr": attr,
                "module": f"{package}.clients.{attr}",
                "class_name": class_name,
                "gv": gv,
            }
        )
    files["clients/__init__.py"] = env.get_template("clients_init.py.jinja2").render(
        header=header, groups=entries
    )
    files["clientset.py"] = env.get_template("clientset.py.jinja2").render(
        header=header,
        package=package,
        groups=entries,
        title=api.title or "Kubernetes",
        release=api.version,
    )
    return dict(sorted(files.items()))
