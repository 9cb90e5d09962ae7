"""Loading a spec: a Swagger 2.0 file, an OpenAPI 3 file or directory, a URL, CRD manifests,
a release, or what a live cluster serves (``/openapi/v3`` per group version, ``/openapi/v2`` as
fallback; ``--group`` for only some groups).

    loaded = load(spec="crds/")        # or release="1.36", or cluster=True, groups=("example.com",)

Everything here returns a :class:`LoadedSpec` (the parsed document plus where it came
from) or raises :class:`~kubeset.codegen.errors.GenError` with a message that names the
file and the problem.  Nothing is normalized here; see :mod:`kubeset.codegen.normalize`.

Release specs: ``--release 1.36`` reads ``$KUBESET_OPENAPI_DIR/kubernetes/v1.36/swagger.json``
when that file exists, otherwise downloads the upstream ``api/openapi-spec/swagger.json`` of
the release tag into a cache folder.  Either way the bytes must match the sha256 recorded
in ``codegen/releases.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]
from kubeset.codegen.crd import crds_from_spec, crds_to_swagger
from kubeset.codegen.errors import GenError
from kubeset.codegen.kubeyaml import load_all

__all__ = [
    "CLUSTER_PREFIX",
    "RELEASES_FILE",
    "ClusterOrigin",
    "LoadedSpec",
    "check_spec_kind",
    "is_crd",
    "load",
    "load_cluster",
    "load_release",
    "load_spec",
    "pinned_release",
    "releases",
    "spec_directory",
]

RELEASES_FILE = Path(__file__).with_name("releases.json")
_RELEASE_RE = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?$")


@dataclass(frozen=True)
class ClusterOrigin:
    """Which live cluster a spec came from, as the regeneration record names it (no address)."""

    context: str  # the kubeconfig context ("" when in-cluster or the current context has no name)
    server_version: str  # /version gitVersion, e.g. "v1.36.5"
    groups: tuple[str, ...] = ()  # --group: only these API groups ("core" for the legacy group)


@dataclass
class LoadedSpec:
    """A parsed spec document and where it came from."""

    #: the whole document (Swagger 2.0 or OpenAPI 3; merged when read from a directory)
    doc: dict[str, Any]
    source: str  # what to record: upstream URL for releases, else the path or URL as given
    sha256: str | None  # of the bytes read (None for a directory of documents)
    release: str | None = None  # "v1.36.0" for releases
    #: the local files read (absolute paths) with their sha256, for the regeneration record
    files: tuple[tuple[Path, str], ...] = ()
    #: what was read but not used: "crds/all.yaml: document 2 (ConfigMap) is not a CustomResourceDefinition"
    skipped: tuple[str, ...] = ()
    cluster: ClusterOrigin | None = None


def releases() -> dict[str, Any]:
    """The committed release table: {"pinned": "1.36", "releases": {"1.36": {tag, url, sha256}}}."""
    data: dict[str, Any] = json.loads(RELEASES_FILE.read_text())
    return data


def pinned_release() -> str:
    return str(releases()["pinned"])


def _release_key(release: str) -> str:
    m = _RELEASE_RE.match(release.strip())
    table = releases()["releases"]
    known = ", ".join(sorted(table, key=lambda k: tuple(int(p) for p in k.split("."))))
    if not m:
        raise GenError(
            f"release {release!r} is not a release number like 1.36; known releases: {known}"
        )
    key = f"{m.group(1)}.{m.group(2)}"
    if key not in table or (m.group(3) not in (None, "0")):
        raise GenError(f"unknown release {release!r}; known releases: {known}")
    return key


def _parse_json(data: bytes, where: str) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except UnicodeDecodeError as e:
        raise GenError(
            f"{where}: not JSON (not UTF-8 text: {e.reason} at byte {e.start})"
        ) from None
    except json.JSONDecodeError as e:
        raise GenError(f"{where}: not JSON ({e.msg} at line {e.lineno} column {e.colno})") from None
    if not isinstance(doc, dict):
        raise GenError(
            f"{where}: not an OpenAPI/Swagger document (top level is a JSON {type(doc).__name__}, expected an object)"
        )
    return doc


def check_spec_kind(doc: dict[str, Any], where: str) -> str:
    """'swagger2' or 'openapi3'; a clear error for anything else."""
    if str(doc.get("swagger", "")).startswith("2."):
        return "swagger2"
    if str(doc.get("openapi", "")).startswith("3."):
        return "openapi3"
    keys = ", ".join(sorted(doc)[:8]) or "none"
    raise GenError(
        f"{where}: not an OpenAPI/Swagger document (expected a top-level 'swagger: \"2.0\"' or "
        f"'openapi: \"3.x\"' key; found keys: {keys})"
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _verify(data: bytes, expected: str | None, where: str) -> str:
    got = _sha256(data)
    if expected is not None and got != expected.lower():
        raise GenError(
            f"{where}: sha256 mismatch: expected {expected.lower()}, got {got} (refusing to use it)"
        )
    return got


def _download(url: str) -> bytes:
    import requests

    try:
        resp = requests.get(url, timeout=60)
    except requests.RequestException as e:
        raise GenError(f"{url}: download failed: {type(e).__name__}: {e}") from None
    if resp.status_code != 200:
        raise GenError(f"{url}: download failed: HTTP {resp.status_code}")
    return resp.content


def _cache_dir() -> Path:
    env = os.environ.get("KUBESET_OPENAPI_CACHE")
    if env:
        return Path(env)
    if Path("openapi").is_dir():
        return Path("openapi") / "cache"
    return Path.home() / ".cache" / "kubeset" / "openapi"


def spec_directory() -> Path | None:
    """$KUBESET_OPENAPI_DIR, else ../shared/openapi (beside the project or the working folder) when present."""
    env = os.environ.get("KUBESET_OPENAPI_DIR")
    if env:
        return Path(env)
    for base in (Path.cwd(), Path(__file__).resolve().parent.parent):
        candidate = base.parent / "shared" / "openapi"
        if candidate.is_dir():
            return candidate
    return None


def load_release(release: str) -> LoadedSpec:
    key = _release_key(release)
    entry = releases()["releases"][key]
    tag, url, sha = entry["tag"], entry["url"], entry["sha256"]
    template = os.environ.get("KUBESET_RELEASE_URL")  # e.g. http://mirror/{tag}/swagger.json
    if template:
        url = template.format(tag=tag, minor=key)
    spec_dir = spec_directory()
    local = spec_dir / "kubernetes" / f"v{key}" / "swagger.json" if spec_dir else None
    if local is not None and local.is_file():
        data = local.read_bytes()
        where = str(local)
    else:
        cached = _cache_dir() / "kubernetes" / f"v{key}" / "swagger.json"
        if cached.is_file() and _sha256(cached.read_bytes()) == sha:
            data, where = cached.read_bytes(), str(cached)
        else:
            data, where = _download(url), url
            _verify(data, sha, where)
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(data)
    got = _verify(data, sha, where)
    doc = _parse_json(data, where)
    check_spec_kind(doc, where)
    return LoadedSpec(doc=doc, source=entry["url"], sha256=got, release=tag)


def is_crd(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and doc.get("kind") == "CustomResourceDefinition"
        and str(doc.get("apiVersion", "")).startswith("apiextensions.k8s.io/")
    )


def _read(path: Path, where: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise GenError(f"{where}: cannot read: {e.strerror}") from None


def _manifests(
    sources: list[tuple[str, bytes]], where: str
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The Swagger document of the CRDs in YAML/JSON manifests, and what was skipped (not a CRD)."""
    crds: list[tuple[str, dict[str, Any]]] = []
    skipped: list[str] = []
    for name, data in sources:
        docs = _parse_yaml(data, name)
        for i, d in enumerate(docs, 1):
            if is_crd(d):
                crds.append((f"{name}: document {i}" if len(docs) > 1 else name, d))
            else:
                what = (
                    f"{d.get('apiVersion')} {d.get('kind')}"
                    if isinstance(d, dict)
                    else f"a YAML {type(d).__name__}"
                )
                skipped.append(f"{name}: document {i} ({what}) is not a CustomResourceDefinition")
    if not crds:
        found = "; ".join(skipped[:3]) or "no documents"
        raise GenError(f"{where}: no CustomResourceDefinition found ({found})")
    return crds_to_swagger(crds), tuple(skipped)


def _load_directory(path: Path) -> LoadedSpec:
    manifests = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))
    if manifests:
        raw = [(str(f), _read(f, str(f))) for f in manifests]
        doc, skipped = _manifests(raw, str(path))
        hashed = tuple(
            (f.resolve(), _sha256(data)) for f, (_, data) in zip(manifests, raw, strict=True)
        )
        return LoadedSpec(doc=doc, source=str(path), sha256=None, files=hashed, skipped=skipped)
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in ("", ".json"))
    docs: list[tuple[Path, dict[str, Any]]] = []
    read: list[tuple[Path, str]] = []
    for f in files:
        data = _read(f, str(f))
        read.append((f.resolve(), _sha256(data)))
        doc = _parse_json(data, str(f))
        check_spec_kind(doc, str(f))
        docs.append((f, doc))
    if not docs:
        raise GenError(f"{path}: directory holds no OpenAPI documents (*.json)")
    if len(docs) == 1:
        return LoadedSpec(doc=docs[0][1], source=str(path), sha256=None, files=tuple(read))
    kinds = {check_spec_kind(d, str(f)) for f, d in docs}
    if kinds != {"openapi3"}:
        raise GenError(
            f"{path}: a directory must hold OpenAPI 3 documents only (found {', '.join(sorted(kinds))})"
        )
    return LoadedSpec(
        doc=_merge_openapi3([d for _, d in docs]), source=str(path), sha256=None, files=tuple(read)
    )


def _merge_openapi3(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """One OpenAPI 3 document of several (``/openapi/v3/<group>/<version>``): paths and schemas
    together, the first definition of a schema name winning."""
    merged: dict[str, Any] = {
        "openapi": docs[0]["openapi"],
        "info": docs[0].get("info", {}),
        "paths": {},
        "components": {"schemas": {}},
    }
    for d in docs:
        merged["paths"].update(d.get("paths") or {})
        for name, schema in ((d.get("components") or {}).get("schemas") or {}).items():
            merged["components"]["schemas"].setdefault(name, schema)
    return merged


def load_spec(spec: str, sha256: str | None = None) -> LoadedSpec:
    """Load a spec from a file, a directory of OpenAPI 3 documents, or an http(s) URL."""
    if spec.startswith(("http://", "https://")):
        data = _download(spec)
        got = _verify(data, sha256, spec)
        doc = _parse_json(data, spec)
        check_spec_kind(doc, spec)
        return LoadedSpec(doc=doc, source=spec, sha256=got)
    path = Path(spec)
    if path.is_dir():
        if sha256:
            raise GenError(f"{spec}: --sha256 needs a single file, not a directory")
        return _load_directory(path)
    if not path.exists():
        raise GenError(f"{spec}: spec file not found")
    data = _read(path, spec)
    got = _verify(data, sha256, spec)
    files = ((path.resolve(), got),)
    if path.suffix in (".yaml", ".yml"):
        docs = _parse_yaml(data, spec)
        if any(is_crd(d) for d in docs) or not (
            len(docs) == 1 and isinstance(docs[0], dict) and _is_spec(docs[0])
        ):
            doc, skipped = _manifests([(spec, data)], spec)
            return LoadedSpec(doc=doc, source=spec, sha256=got, files=files, skipped=skipped)
        doc = docs[0]
    else:
        doc = _parse_json(data, spec)
        if is_crd(doc):
            crd_doc, _ = _manifests([(spec, data)], spec)
            return LoadedSpec(doc=crd_doc, source=spec, sha256=got, files=files)
    check_spec_kind(doc, spec)
    return LoadedSpec(doc=doc, source=spec, sha256=got, files=files)


def _is_spec(doc: dict[str, Any]) -> bool:
    return "swagger" in doc or "openapi" in doc


CLUSTER_PREFIX = "cluster:"


def _get(transport: Any, url: str) -> Any:
    from kubeset.errors import ConfigError, KubesetError

    try:
        return transport.request("GET", url, headers={"Accept": "application/json"}, timeout=120)
    except ConfigError as e:
        raise GenError(f"{url}: {e}") from None
    except KubesetError as e:
        raise GenError(f"{url}: cannot reach the API server: {type(e).__name__}") from None


def _ok(resp: Any, url: str, what: str) -> bytes:
    if resp.status_code != 200:
        raise GenError(
            f"{url}: HTTP {resp.status_code} (the user needs get on the {what} non-resource URL)"
        )
    data: bytes = resp.read()
    return data


def _group_of(path: str) -> str | None:
    """ "" for api/v1, the group for apis/<group>/<version>; None for anything else in /openapi/v3."""
    segs = path.strip("/").split("/")
    if len(segs) == 2 and segs[0] == "api":
        return ""
    if len(segs) == 3 and segs[0] == "apis":
        return segs[1]
    return None


def load_cluster(
    kubeconfig: str | None = None, context: str | None = None, groups: tuple[str, ...] = ()
) -> LoadedSpec:
    """What a live API server serves, fetched with kubeset's own config and transport
    (``kubeconfig``/``context`` when given, else ``$KUBECONFIG`` / ``~/.kube/config`` / in-cluster).

    Reads ``/openapi/v3`` (one document per group version, merged), or ``/openapi/v2`` when the
    server has no v3.  ``groups`` (``--group``; ``core`` for the legacy group) keeps only those
    groups' custom resources, rebuilt as the CRDs behind them so that the models are the ones
    the CRD manifests give (:func:`kubeset.codegen.crd.crds_from_spec`)."""
    from kubeset.config import ConfigError, load_config, load_kubeconfig
    from kubeset.transport import Transport

    try:
        config = load_kubeconfig(kubeconfig, context) if kubeconfig else load_config(context)
    except ConfigError as e:
        raise GenError(f"cannot load the cluster's config: {e}") from None
    base = config.base_url
    wanted = {"" if g == "core" else g for g in groups}
    digest = hashlib.sha256()
    transport = Transport(config)
    try:
        index_url = f"{base}/openapi/v3"
        resp = _get(transport, index_url)
        if resp.status_code == 404:  # no OpenAPI v3 (before 1.27, or turned off): the aggregated v2
            where = f"{base}/openapi/v2"
            data = _ok(_get(transport, where), where, "/openapi/v2")
            digest.update(data)
            doc = _parse_json(data, where)
            check_spec_kind(doc, where)
        else:
            where = index_url
            index = _parse_json(_ok(resp, index_url, "/openapi/v3"), index_url)
            docs: list[tuple[str, dict[str, Any]]] = []
            for path in sorted(index.get("paths") or {}):
                group = _group_of(path)
                if group is None or (wanted and group not in wanted):
                    continue
                url = base + str(
                    (index["paths"][path] or {}).get("serverRelativeURL") or f"/openapi/v3/{path}"
                )
                data = _ok(_get(transport, url), f"{base}/openapi/v3/{path}", "/openapi/v3")
                digest.update(f"{path} {_sha256(data)}\n".encode())
                doc = _parse_json(data, f"{base}/openapi/v3/{path}")
                check_spec_kind(doc, f"{base}/openapi/v3/{path}")
                docs.append((path, doc))
            if not docs:
                served = sorted(
                    {g or "core" for g in map(_group_of, index.get("paths") or {}) if g is not None}
                )
                raise GenError(
                    f"{index_url}: the cluster serves none of the groups {', '.join(sorted(groups))} (served: {', '.join(served)})"
                )
            doc = _merge_openapi3([d for _, d in docs])
    finally:
        transport.close()
    if wanted:
        doc = crds_to_swagger(crds_from_spec(doc, wanted, where))
    origin = ClusterOrigin(
        context=context or _current_context(kubeconfig),
        server_version=_server_version(config),
        groups=tuple(sorted(groups)),
    )
    return LoadedSpec(
        doc=doc, source=CLUSTER_PREFIX + base, sha256=digest.hexdigest(), cluster=origin
    )


def _current_context(kubeconfig: str | None) -> str:
    """The current-context name of the kubeconfig kubeset read: the first non-empty
    ``current-context`` of its files, as kubeset.config merges them ("" when there is none)."""
    from kubeset.config import default_kubeconfig_paths

    for p in [kubeconfig] if kubeconfig else default_kubeconfig_paths():
        try:
            doc = yaml.safe_load(Path(p).read_text())
        except (OSError, yaml.YAMLError):
            continue
        if (
            isinstance(doc, dict)
            and isinstance(doc.get("current-context"), str)
            and doc["current-context"]
        ):
            return str(doc["current-context"])
    return ""


def _server_version(config: Any) -> str:
    """The server's /version gitVersion ("" when it cannot be read)."""
    from kubeset.errors import KubesetError
    from kubeset.transport import Transport

    transport = Transport(config)
    try:
        resp = transport.request(
            "GET", f"{config.base_url}/version", headers={"Accept": "application/json"}, timeout=30
        )
        info = json.loads(resp.read()) if resp.status_code == 200 else {}
    except (KubesetError, ValueError):
        info = {}
    finally:
        transport.close()
    return str(info.get("gitVersion", "")) if isinstance(info, dict) else ""


def _parse_yaml(data: bytes, where: str) -> list[Any]:
    """The documents of a YAML stream, read as kubectl reads them (:mod:`kubeset.codegen.kubeyaml`)."""
    try:
        return load_all(data)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        at = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        raise GenError(f"{where}: not YAML ({e.problem or e.context}{at})") from None
    except yaml.YAMLError as e:
        raise GenError(f"{where}: not YAML ({str(e).splitlines()[0]})") from None


def load(
    spec: str | None = None,
    release: str | None = None,
    sha256: str | None = None,
    *,
    cluster: bool = False,
    kubeconfig: str | None = None,
    context: str | None = None,
    groups: tuple[str, ...] = (),
) -> LoadedSpec:
    """One entry point: exactly one of ``spec`` (file, directory, URL), ``release`` or ``cluster``
    (``groups``: only those API groups of the cluster)."""
    if sum(map(bool, (spec, release, cluster))) > 1:
        raise GenError(
            "give one of a spec (--spec), a release (--release) or a live cluster (--cluster)"
        )
    if groups and not cluster:
        raise GenError("--group goes with --cluster")
    if cluster or kubeconfig or context:
        if spec or release:
            raise GenError("--kubeconfig and --context go with --cluster")
        if sha256:
            raise GenError("--sha256 does not go with --cluster (what a cluster serves changes)")
        return load_cluster(kubeconfig, context, groups)
    if spec:
        return load_spec(spec, sha256)
    return load_release(release or pinned_release())
