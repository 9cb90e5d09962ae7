"""Seeded cases of API calls, run against two servers side by side and their answers compared.

    cases = generate(seed=7, count=100)              # reproducible from (seed, count)
    for case in cases:
        a, b = run(real_rest, ns, case), run(fake_rest, ns, case)
        differences = compare(case, a, b)            # [] when they answered alike

A :class:`Case` is a few :class:`Step` s on objects of one kind (ConfigMap, Deployment,
Service): create, update (PUT of the object as that server last answered it, changed), the three
patch types (strategic merge with ``$patch: delete / replace``, ``$setElementOrder``,
``$retainKeys`` and ``$deleteFromPrimitiveList``, lists with merge keys in random order),
server-side apply by two managers with and without force, and lists with label and field
selectors, limit and continue.  A step's request is made from the answers that server gave before, so
both servers get the same change even though uids and resourceVersions differ.  An answer is
its status code, its reason and the object normalised: uid, timestamps, resourceVersion and
continue values replaced by placeholders, their presence and order kept.

Objects spell out what kube-apiserver's built-in defaulting would add (the fake does no built-in
defaulting: tests/behaviour's UNSUPPORTED), so the comparison is about the verbs' semantics.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kubeset import errors
from kubeset.rest import RESTClient

__all__ = ["Answer", "Case", "Step", "compare", "generate", "normalise", "run"]

Body = Any
Maker = Callable[[dict[str, Any] | None], tuple[str, str, dict[str, str], str, Body]]
"""(the object as this server last answered it, or None) -> (method, path suffix, query,
content type, body); the path suffix is after ``/namespaces/<ns>/<resource>``."""

JSON, MERGE, STRATEGIC, APPLY = (
    "application/json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
)
JSON_PATCH = "application/json-patch+json"


@dataclass(frozen=True)
class Step:
    what: str  # e.g. "strategic merge patch of c3-app"
    target: str  # the object's name (its last answer is handed to make), "" for none
    make: Maker


@dataclass(frozen=True)
class Case:
    number: int
    kind: str  # configmaps deployments services
    steps: tuple[Step, ...]

    @property
    def api(self) -> str:
        return "/apis/apps/v1" if self.kind == "deployments" else "/api/v1"


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    body: Any  # the normalised object or list ({} for an error)
    message: str = ""  # an error's message (not compared: the wording differs)

    def summary(self) -> str:
        return f"{self.status} {self.reason}".strip()


# ---------------------------------------------------------------------------- normalising

_PLACEHOLDERS = {"uid": "<uid>", "creationTimestamp": "<time>", "resourceVersion": "<rv>"}


def normalise(value: Any, key: str = "") -> Any:
    """Values that differ between servers by nature replaced; keys, order and presence kept."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in _PLACEHOLDERS and isinstance(v, str) and v:
                out[k] = _PLACEHOLDERS[k]
            elif k == "time" and key == "managedFields":
                out[k] = "<time>"
            elif k == "fieldsV1" and key == "managedFields":
                out[k] = _without_dots(v)  # see the test's UNSUPPORTED entry
            elif k == "continue" and isinstance(v, str) and v:
                out[k] = "<continue>"
            else:
                out[k] = normalise(v, key=k if isinstance(v, list) else key)
        return out
    if isinstance(value, list):
        items = [normalise(v, key) for v in value]
        if key == "managedFields":  # within an operation the order follows the times: not compared
            items.sort(key=lambda e: (e.get("operation", ""), e.get("manager", "")))
        return items
    return value


def _without_dots(fields: Any) -> Any:
    """A fieldsV1 set without its "." members (which of them the server writes depends on Go's
    zero values: the fake does not know them)."""
    if not isinstance(fields, dict):
        return fields
    return {k: _without_dots(v) for k, v in fields.items() if k != "."}


# ---------------------------------------------------------------------------- running


def _send(
    rest: RESTClient, path: str, request: tuple[str, str, dict[str, str], str, Body]
) -> Answer:
    method, suffix, query, content_type, body = request
    req = rest.verb(method).abs_path(path + suffix).params(query).max_retries(0).timeout(30)
    req.header("User-Agent", "differential/1.0")  # the field manager of writes without one
    if body is not None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        req.body(raw).content_type(content_type)
    try:
        result = req.do()
    except errors.ApiError as e:
        return Answer(e.status_code, e.reason, {}, e.message)
    return Answer(result.status_code, "", result.json())


def run(rest: RESTClient, namespace: str, case: Case) -> list[Answer]:
    """Every step's answer from one server (raw bodies, not yet normalised)."""
    path = f"{case.api}/namespaces/{namespace}/{case.kind}"
    last: dict[str, dict[str, Any]] = {}
    answers = []
    for step in case.steps:
        answer = _send(rest, path, step.make(copy.deepcopy(last.get(step.target))))
        if step.target and answer.status < 300 and isinstance(answer.body, dict):
            last[step.target] = answer.body
        answers.append(answer)
    return answers


def compare(case: Case, a: list[Answer], b: list[Answer]) -> list[str]:
    """The steps whose answers differ, described (the first difference of each)."""
    out = []
    for step, x, y in zip(case.steps, a, b, strict=True):
        nx, ny = normalise(x.body), normalise(y.body)
        if (x.status, x.reason) != (y.status, y.reason):
            out.append(f"case {case.number} {step.what}: {x.summary()} != {y.summary()}")
        elif nx != ny:
            out.append(f"case {case.number} {step.what}: {_first_difference(nx, ny)}")
    return out


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b) and set(a) != set(b):
            return f"{path or '/'}: keys {sorted(set(a) - set(b))} vs {sorted(set(b) - set(a))}"
        for k in a:
            if a.get(k) != b.get(k):
                return _first_difference(a.get(k), b.get(k), f"{path}/{k}")
        return f"{path or '/'}: key order {list(a)} vs {list(b)}"
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}/{i}")
    return f"{path or '/'}: {json.dumps(a)[:300]} vs {json.dumps(b)[:300]}"


# ---------------------------------------------------------------------------- generating


@dataclass
class _Gen:
    rng: random.Random
    number: int
    steps: list[Step] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"c{self.number}"

    def add(self, what: str, target: str, make: Maker) -> None:
        self.steps.append(Step(f"step {len(self.steps)} {what}", target, make))

    def pick(self, pool: list[Any], low: int = 0, high: int | None = None) -> list[Any]:
        n = self.rng.randint(low, len(pool) if high is None else min(high, len(pool)))
        return self.rng.sample(pool, n)

    def word(self) -> str:
        return self.rng.choice(["x", "y", "z", "1", "two", "three", ""]) + str(
            self.rng.randint(0, 9)
        )

    def labels(self) -> dict[str, str]:
        labels = {"case": self.label}
        for key in self.pick(["tier", "env", "team"]):
            labels[key] = self.rng.choice(["a", "b", "c"])
        return labels


def _get(name: str) -> Maker:
    return lambda _: ("GET", f"/{name}", {}, JSON, None)


def _meta(g: _Gen, name: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": g.labels()}
    if g.rng.random() < 0.3:
        meta["annotations"] = {"note": g.word()}
    if g.rng.random() < 0.3:
        meta["finalizers"] = g.pick(["kubeset.io/a", "kubeset.io/b", "kubeset.io/c"], 1)
    return meta


# ---- configmaps


def _configmap(g: _Gen, name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(g, name),
        "data": {k: g.word() for k in g.pick(["a", "b", "c", "d", "e"])},
    }


def _configmap_case(g: _Gen) -> None:
    names = [f"{g.label}-{i}" for i in range(g.rng.randint(1, 4))]
    for name in names:
        body = _configmap(g, name)
        g.add(f"create {name}", name, lambda _, b=body: ("POST", "", {}, JSON, b))
    for _ in range(g.rng.randint(2, 6)):
        name = g.rng.choice(names)
        op = g.rng.choice(["update", "merge", "json", "strategic", "apply", "stale", "list"])
        if op == "update":
            data = {k: g.word() for k in g.pick(["a", "b", "c", "f"])}
            labels = g.labels()

            def update(cur: Any, d: Any = data, lab: Any = labels) -> Any:
                cur = cur or {"metadata": {"name": "missing"}}
                cur["data"] = d
                cur["metadata"]["labels"] = lab
                return ("PUT", f"/{cur['metadata']['name']}", {}, JSON, cur)

            g.add(f"update {name}", name, update)
        elif op == "stale":
            body = {**_configmap(g, name), "metadata": {"name": name, "resourceVersion": "1"}}
            g.add(
                f"stale update {name}",
                name,
                lambda _, b=body, n=name: ("PUT", f"/{n}", {}, JSON, b),
            )
        elif op == "merge":
            patch: dict[str, Any] = {
                "data": {k: g.rng.choice([None, g.word()]) for k in g.pick(["a", "b", "c", "f"], 1)}
            }
            if g.rng.random() < 0.5:
                patch["metadata"] = {
                    "labels": {k: g.rng.choice([None, "m"]) for k in g.pick(["tier", "env"], 1)}
                }
            g.add(
                f"merge patch {name}",
                name,
                lambda _, p=patch, n=name: ("PATCH", f"/{n}", {}, MERGE, p),
            )
        elif op == "json":
            ops = []
            for key in g.pick(["a", "b", "c"], 1, 2):
                kind = g.rng.choice(["add", "replace", "remove", "test"])
                entry: dict[str, Any] = {"op": kind, "path": f"/data/{key}"}
                if kind != "remove":
                    entry["value"] = g.word()
                ops.append(entry)
            g.add(
                f"json patch {name} {ops}",
                name,
                lambda _, p=ops, n=name: ("PATCH", f"/{n}", {}, JSON_PATCH, p),
            )
        elif op == "strategic":
            patch = {
                "data": {k: g.rng.choice([None, g.word()]) for k in g.pick(["a", "b", "f"], 1)}
            }
            directive = g.rng.choice(["", "replace-data", "finalizers", "finalizers-delete"])
            if directive == "replace-data":
                patch["data"]["$patch"] = "replace"
                patch["data"] = {k: v for k, v in patch["data"].items() if v is not None}
            elif directive == "finalizers":
                patch["metadata"] = {"finalizers": g.pick(["kubeset.io/a", "kubeset.io/d"], 1)}
            elif directive == "finalizers-delete":
                patch["metadata"] = {
                    "$deleteFromPrimitiveList/finalizers": g.pick(
                        ["kubeset.io/a", "kubeset.io/b"], 1
                    )
                }
            g.add(
                f"strategic merge patch {name} {patch}",
                name,
                lambda _, p=patch, n=name: ("PATCH", f"/{n}", {}, STRATEGIC, p),
            )
        elif op == "apply":
            manager = g.rng.choice(["alice", "bob"])
            force = g.rng.random() < 0.4
            config = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": name, "labels": {"case": g.label}},
                "data": {k: g.rng.choice(["same", g.word()]) for k in g.pick(["a", "b", "g"], 1)},
            }
            query = {"fieldManager": manager, **({"force": "true"} if force else {})}
            g.add(
                f"apply {name} by {manager} force={force} {config['data']}",
                name,
                lambda _, c=config, q=query, n=name: (
                    "PATCH",
                    f"/{n}",
                    q,
                    APPLY,
                    json.dumps(c).encode(),
                ),
            )
        else:
            _list_steps(g)
        if g.rng.random() < 0.3:
            g.add(f"get {name}", name, _get(name))
    for name in names:
        _clear_finalizers(g, name)


def _clear_finalizers(g: _Gen, name: str) -> None:
    """The last step of a case: finalizers would hold the namespace's deletion."""
    g.add(
        f"clear finalizers {name}",
        "",
        lambda _: ("PATCH", f"/{name}", {}, MERGE, {"metadata": {"finalizers": None}}),
    )


def _list_steps(g: _Gen) -> None:
    selector = [f"case={g.label}"]
    for key in g.pick(["tier", "env"], 0, 1):
        selector.append(g.rng.choice([f"{key}=a", f"{key}!=b", f"{key} in (a,c)", key, f"!{key}"]))
    limit = g.rng.choice([0, 1, 2, 3])
    query = {"labelSelector": ",".join(selector), **({"limit": str(limit)} if limit else {})}
    if g.rng.random() < 0.3:
        name = f"{g.label}-{g.rng.randint(0, 3)}"
        query["fieldSelector"] = g.rng.choice(
            [
                f"metadata.name={name}",
                f"metadata.name!={name}",
                f"metadata.namespace!=x,metadata.name!={name}",
            ]
        )

    def first(_: Any) -> Any:
        return ("GET", "", query, JSON, None)

    g.add(f"list {query}", "", first)
    if limit:
        # the continue token of the page before is this server's own: kept in the answers
        g.steps[-1] = Step(g.steps[-1].what, "__list__", first)
        for page in range(1, 3):

            def more(cur: Any, q: Any = query) -> Any:
                token = ((cur or {}).get("metadata") or {}).get("continue")
                return ("GET", "", {**q, "continue": token} if token else q, JSON, None)

            g.add(f"list page {page + 1} {query}", "__list__", more)


# ---- deployments

_CONTAINER_NAMES = ["app", "side", "log", "proxy"]
_ENV_NAMES = ["A", "B", "C", "D"]
_CONTAINER_DEFAULTS = {  # what kube-apiserver's defaulting would add
    "resources": {},
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
    "imagePullPolicy": "IfNotPresent",
}


def _container(g: _Gen, name: str) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": f"img-{g.word()}"}
    env = [{"name": e, "value": g.word()} for e in g.pick(_ENV_NAMES)]
    if env:
        container["env"] = env
    container.update(_CONTAINER_DEFAULTS)
    return container


def _deployment(g: _Gen, name: str) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(g, name),
        "spec": {
            "replicas": g.rng.randint(0, 3),
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [_container(g, c) for c in g.pick(_CONTAINER_NAMES, 1, 3)],
                    "restartPolicy": "Always",
                    "terminationGracePeriodSeconds": 30,
                    "dnsPolicy": "ClusterFirst",
                    "securityContext": {},
                    "schedulerName": "default-scheduler",
                },
            },
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
            },
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
        },
    }


def _list_patch(
    g: _Gen,
    current: list[str],
    make_new: Callable[[str], dict[str, Any]],
    pool: list[str],
    key: str,
    change: Callable[[str], dict[str, Any]],
) -> tuple[list[Any], list[str]]:
    """A strategic merge list patch: some items changed, some deleted, maybe new ones, in random
    order; returns (patch items, the names in the order a $setElementOrder would give)."""
    items: list[Any] = []
    kept = list(current)
    for name in g.pick(current):
        if g.rng.random() < 0.25 and len(kept) > 1:
            items.append({key: name, "$patch": "delete"})
            kept.remove(name)
        else:
            items.append(change(name))
    for name in g.pick([n for n in pool if n not in current], 0, 1):
        items.append(make_new(name))
        kept.insert(g.rng.randint(0, len(kept)), name)
    g.rng.shuffle(items)
    return items, kept


def _follow(g: _Gen, items: list[Any], order: list[Any], key: str) -> list[Any]:
    """Mostly: the patch's items in the $setElementOrder order, as kubectl writes them (deletes
    where they fall); sometimes left shuffled, which kube-apiserver refuses."""
    if g.rng.random() < 0.2:
        return items
    rank = {k: n for n, k in enumerate(order)}
    return sorted(items, key=lambda i: rank.get(i[key], -1))


def _deployment_case(g: _Gen) -> None:
    name = f"{g.label}-web"
    body = _deployment(g, name)
    g.add(f"create {name}", name, lambda _, b=body: ("POST", "", {}, JSON, b))
    containers = [c["name"] for c in body["spec"]["template"]["spec"]["containers"]]
    envs = {
        c["name"]: [e["name"] for e in c.get("env", [])]
        for c in body["spec"]["template"]["spec"]["containers"]
    }
    for _ in range(g.rng.randint(1, 4)):
        op = g.rng.choice(
            ["strategic", "strategic", "strategic", "merge", "json", "update", "apply"]
        )
        if op == "strategic":
            patch, containers, envs = _deployment_smp(g, containers, envs)
            g.add(
                f"strategic merge patch {json.dumps(patch)}",
                name,
                lambda _, p=patch: ("PATCH", f"/{name}", {}, STRATEGIC, p),
            )
        elif op == "merge":
            patch = {
                "spec": {"replicas": g.rng.randint(0, 5)},
                "metadata": {"labels": {"tier": g.rng.choice([None, "x"])}},
            }
            g.add(
                f"merge patch {patch}", name, lambda _, p=patch: ("PATCH", f"/{name}", {}, MERGE, p)
            )
        elif op == "json":
            value = {"name": g.rng.choice(_ENV_NAMES) + "J", "value": g.word()}
            ops = [
                {"op": "replace", "path": "/spec/replicas", "value": g.rng.randint(0, 4)},
                {"op": "add", "path": "/spec/template/spec/containers/0/env/-", "value": value},
            ]
            g.add(
                f"json patch {ops}", name, lambda _, p=ops: ("PATCH", f"/{name}", {}, JSON_PATCH, p)
            )
            envs = {}  # the env of container 0 is not followed any more
        elif op == "update":
            replicas = g.rng.randint(0, 4)

            def update(cur: Any, r: int = replicas) -> Any:
                cur = cur or {"metadata": {"name": name}, "spec": {}}
                cur["spec"]["replicas"] = r
                return ("PUT", f"/{name}", {}, JSON, cur)

            g.add(f"update replicas={replicas}", name, update)
        else:
            manager = g.rng.choice(["alice", "bob"])
            force = g.rng.random() < 0.4
            target = g.rng.choice(containers)
            config = {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": name},
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": target,
                                    "image": g.rng.choice(["img-same", f"img-{g.word()}"]),
                                }
                            ]
                        }
                    }
                },
            }
            query = {"fieldManager": manager, **({"force": "true"} if force else {})}
            g.add(
                f"apply by {manager} force={force} {config['spec']}",
                name,
                lambda _, c=config, q=query: (
                    "PATCH",
                    f"/{name}",
                    q,
                    APPLY,
                    json.dumps(c).encode(),
                ),
            )
        if g.rng.random() < 0.3:
            g.add(f"get {name}", name, _get(name))
    _clear_finalizers(g, name)


def _deployment_smp(
    g: _Gen, containers: list[str], envs: dict[str, list[str]]
) -> tuple[dict[str, Any], list[str], dict[str, list[str]]]:
    new_envs = dict(envs)

    def change(cname: str) -> dict[str, Any]:
        # complete enough to be valid even where an earlier step failed on one server only
        item: dict[str, Any] = {"name": cname, "image": f"img-{g.word()}", **_CONTAINER_DEFAULTS}
        current_env = envs.get(cname)
        if current_env is not None and g.rng.random() < 0.7:
            if g.rng.random() < 0.2:
                fresh = [{"name": e, "value": g.word()} for e in g.pick(_ENV_NAMES, 1)]
                item["env"] = [{"$patch": "replace"}, *fresh]
                new_envs[cname] = [e["name"] for e in fresh]
            else:
                env_items, env_order = _list_patch(
                    g,
                    current_env,
                    lambda e: {"name": e, "value": g.word()},
                    _ENV_NAMES,
                    "name",
                    lambda e: {"name": e, "value": g.word()},
                )
                if not current_env:
                    env_items = [i for i in env_items if "$patch" not in i]
                if g.rng.random() < 0.5:
                    item["$setElementOrder/env"] = [{"name": e} for e in env_order]
                    env_items = _follow(g, env_items, env_order, "name")
                item["env"] = env_items
                new_envs[cname] = env_order
        return item

    def fresh_container(cname: str) -> dict[str, Any]:
        c = _container(g, cname)
        new_envs[cname] = [e["name"] for e in c.get("env", [])]
        return c

    items, order = _list_patch(g, containers, fresh_container, _CONTAINER_NAMES, "name", change)
    for item in items:
        if item.get("$patch") == "delete":
            new_envs.pop(item["name"], None)
    pod: dict[str, Any] = {"containers": items}
    if g.rng.random() < 0.5:
        pod["$setElementOrder/containers"] = [{"name": c} for c in order]
        pod["containers"] = _follow(g, items, order, "name")
    patch: dict[str, Any] = {"spec": {"template": {"spec": pod}}}
    roll = g.rng.random()
    if roll < 0.15:
        patch["spec"]["strategy"] = {"$retainKeys": ["type"], "type": "Recreate"}
    elif roll < 0.3:
        patch["spec"]["strategy"] = {
            "$retainKeys": ["type", "rollingUpdate"],
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
        }
    if g.rng.random() < 0.2:
        patch["metadata"] = {
            "$deleteFromPrimitiveList/finalizers": g.pick(["kubeset.io/a", "kubeset.io/b"], 1)
        }
    return patch, order, new_envs


# ---- services

_PORTS = {"http": 80, "https": 443, "metrics": 9090, "grpc": 50051}


def _port(g: _Gen, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "protocol": "TCP",
        "port": _PORTS[name],
        "targetPort": g.rng.randint(8000, 8100),
    }


def _service(g: _Gen, name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(g, name),
        "spec": {
            "ports": [_port(g, p) for p in g.pick(list(_PORTS), 1)],
            "selector": {"app": name},
            "clusterIP": "None",
            "clusterIPs": ["None"],
            "type": "ClusterIP",
            "sessionAffinity": "None",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "internalTrafficPolicy": "Cluster",
        },
    }


def _service_case(g: _Gen) -> None:
    name = f"{g.label}-svc"
    body = _service(g, name)
    g.add(f"create {name}", name, lambda _, b=body: ("POST", "", {}, JSON, b))
    ports = [p["name"] for p in body["spec"]["ports"]]
    for _ in range(g.rng.randint(1, 4)):
        by_port = {p: _PORTS[p] for p in _PORTS}
        items, order = _list_patch(
            g,
            [str(by_port[p]) for p in ports],
            lambda p: _port(g, _name_of(p)),
            [str(v) for v in _PORTS.values()],
            "port",
            lambda p: {**_port(g, _name_of(p)), "port": int(p)},
        )
        for item in items:
            item["port"] = int(item["port"])
        spec: dict[str, Any] = {"ports": items}
        if g.rng.random() < 0.5:
            spec["$setElementOrder/ports"] = [{"port": int(p)} for p in order]
            spec["ports"] = _follow(g, items, [int(p) for p in order], "port")
        patch = {"spec": spec}
        ports = [_name_of(p) for p in order]
        g.add(
            f"strategic merge patch {json.dumps(patch)}",
            name,
            lambda _, p=patch: ("PATCH", f"/{name}", {}, STRATEGIC, p),
        )
        if g.rng.random() < 0.3:
            g.add(f"get {name}", name, _get(name))
    _clear_finalizers(g, name)


def _name_of(port: str) -> str:
    return {str(v): k for k, v in _PORTS.items()}[port]


_KINDS = {"configmaps": _configmap_case, "deployments": _deployment_case, "services": _service_case}


def generate(seed: int, count: int) -> list[Case]:
    """``count`` cases, the same for the same seed."""
    rng = random.Random(seed)
    cases = []
    for number in range(count):
        kind = rng.choice(list(_KINDS))
        g = _Gen(random.Random(rng.getrandbits(64)), number)
        _KINDS[kind](g)
        cases.append(Case(number, kind, tuple(g.steps)))
    return cases
