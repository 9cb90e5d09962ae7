"""Record the e2e kube-apiserver's discovery of its built-in resources for the fake cluster.

    make record-discovery          # = .venv/bin/python tests/e2e/record_discovery.py

Short names, categories, singular names, verbs, storage version hashes, subresources and each
group's preferred version are not in the OpenAPI spec the generated package comes from; the
server's legacy discovery documents (``/api/v1``, ``/apis/<group>/<version>``) have them.  This
starts the e2e server (``make e2e-apiserver`` builds it), reads every group version and writes
``runtime/testing/discovery_data.py``, which the fake's discovery answers from.  Run it again
after moving the e2e server to another Kubernetes release; ``tests/e2e/test_fake_discovery_e2e.py``
fails while the recorded data and the running server disagree.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import kubeset
from kubeset.rest import RESTClient

E2E = Path(__file__).resolve().parent
sys.path.insert(0, str(E2E))

from kube_apiserver import BINARY, PROJECT, start_server, stop

OUT = PROJECT / "runtime" / "testing" / "discovery_data.py"

__all__ = ["record", "render"]

HEADER = '''"""What kube-apiserver {version} says about its built-in resources in discovery (data only).

    BUILTIN["apps/v1/deployments"]["shortNames"]        # ["deploy"]
    GROUPS[0], PREFERRED["autoscaling"]                 # the /apis order, preferred versions

Recorded from the e2e server's legacy discovery documents by ``make record-discovery``
(``tests/e2e/record_discovery.py``); do not edit by hand.  Keys are ``group/version/plural``
(``v1/pods`` for the core group); each value holds the resource's ``singularName``,
``shortNames``, ``categories``, ``verbs``, ``storageVersionHash`` and its ``subresources``
(name -> ``kind``, ``group``, ``version`` of the kind, ``verbs``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["BUILTIN", "GROUPS", "PREFERRED", "SERVER_VERSION"]

SERVER_VERSION = {version!r}
'''


def record(rest: RESTClient) -> dict[str, Any]:
    """The server's discovery facts (see the generated module's docstring)."""

    def get(path: str) -> Any:
        return rest.get().abs_path(path).do().json()

    group_versions = [("", v, f"/api/{v}") for v in get("/api")["versions"]]
    groups: list[str] = []
    preferred: dict[str, str] = {}
    for g in get("/apis")["groups"]:
        groups.append(g["name"])
        preferred[g["name"]] = g["preferredVersion"]["version"]
        group_versions += [
            (g["name"], v["version"], f"/apis/{v['groupVersion']}") for v in g["versions"]
        ]
    builtin: dict[str, dict[str, Any]] = {}
    for group, version, path in group_versions:
        gv = f"{group}/{version}" if group else version
        for r in get(path)["resources"]:
            name, _, sub = r["name"].partition("/")
            if not sub:
                builtin[f"{gv}/{name}"] = {
                    "kind": r["kind"],
                    "namespaced": r["namespaced"],
                    "singularName": r.get("singularName", ""),
                    "shortNames": list(r.get("shortNames") or ()),
                    "categories": list(r.get("categories") or ()),
                    "verbs": list(r.get("verbs") or ()),
                    "storageVersionHash": r.get("storageVersionHash", ""),
                    "subresources": {},
                }
        for r in get(path)["resources"]:
            name, _, sub = r["name"].partition("/")
            if sub:
                builtin[f"{gv}/{name}"]["subresources"][sub] = {
                    "kind": r["kind"],
                    "group": r.get("group", group),
                    "version": r.get("version", version),
                    "verbs": list(r.get("verbs") or ()),
                }
    return {
        "version": get("/version")["gitVersion"],
        "groups": groups,
        "preferred": preferred,
        "builtin": builtin,
    }


def render(data: dict[str, Any]) -> str:
    """The module's text (formatted by ruff afterwards)."""
    return (
        HEADER.format(version=data["version"])
        + f"\nGROUPS: list[str] = {data['groups']!r}\n"
        + f"\nPREFERRED: dict[str, str] = {data['preferred']!r}\n"
        + f"\nBUILTIN: dict[str, dict[str, Any]] = {data['builtin']!r}\n"
    )


def main() -> None:
    if not BINARY.exists():
        sys.exit(f"{BINARY} is missing: run `make e2e-apiserver` first")
    with tempfile.TemporaryDirectory() as tmp:
        proc, kubeconfig, _ = start_server(BINARY, Path(tmp) / "server.log", extra_args="")
        try:
            config = kubeset.load_kubeconfig(kubeconfig)
            with RESTClient(config) as rest:
                data = record(rest)
        finally:
            stop(proc)
    OUT.write_text(render(data))
    ruff = Path(sys.executable).with_name("ruff")
    subprocess.run([str(ruff), "format", "-q", str(OUT)], check=True, timeout=60)
    print(f"{OUT}: {len(data['builtin'])} resources of {data['version']}")


if __name__ == "__main__":
    main()
