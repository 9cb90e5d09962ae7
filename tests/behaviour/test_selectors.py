"""Label selectors, field selectors and pagination on both backends."""

from __future__ import annotations

import pytest
from backends import Backend
from kubeset import errors


def _names(result: object) -> list[str]:
    return sorted(i.metadata.name for i in result.items)  # type: ignore[attr-defined]


@pytest.fixture
def labelled(backend: Backend, ns: str) -> str:
    cms = backend.cs.core_v1.config_maps(ns)
    for name, labels in {
        "a": {"app": "web", "tier": "front"},
        "b": {"app": "web", "tier": "back"},
        "c": {"app": "db"},
        "d": {},
    }.items():
        cms.create({"metadata": {"name": name, "labels": labels}})
    return ns


def test_label_selectors(backend: Backend, labelled: str) -> None:
    cms = backend.cs.core_v1.config_maps(labelled)
    assert _names(cms.list(label_selector="app=web")) == ["a", "b"]
    assert _names(cms.list(label_selector="app==web,tier!=front")) == ["b"]
    assert _names(cms.list(label_selector="app in (web, db)")) == ["a", "b", "c"]
    assert _names(cms.list(label_selector="app notin (web),app")) == ["c"]
    assert _names(cms.list(label_selector="tier")) == ["a", "b"]
    assert "d" in _names(cms.list(label_selector="!app"))
    with pytest.raises(errors.BadRequest):
        cms.list(label_selector="app in web")


def test_field_selectors(backend: Backend, labelled: str) -> None:
    cms = backend.cs.core_v1.config_maps(labelled)
    assert _names(cms.list(field_selector="metadata.name=b")) == ["b"]
    assert _names(cms.list(field_selector="metadata.name!=b", label_selector="app")) == ["a", "c"]
    everywhere = backend.cs.core_v1.config_maps(None).list(
        field_selector=f"metadata.namespace={labelled}"
    )
    assert {"a", "b", "c", "d"} <= set(_names(everywhere))
    with pytest.raises(errors.BadRequest) as e:
        cms.list(field_selector="data.k=v")
    assert '"data.k" is not a known field selector' in e.value.message


def test_pod_field_selectors(backend: Backend, ns: str) -> None:
    pods = backend.cs.core_v1.pods(ns)
    for name, node in (("p1", "n1"), ("p2", None)):
        spec = {"containers": [{"name": "c", "image": "busybox:1.36"}]}
        if node:
            spec["nodeName"] = node
        pods.create({"metadata": {"name": name}, "spec": spec})
    assert _names(pods.list(field_selector="spec.nodeName=n1")) == ["p1"]
    assert _names(pods.list(field_selector="spec.nodeName=")) == ["p2"]
    assert _names(pods.list(field_selector="status.phase=Pending")) == ["p1", "p2"]
    assert _names(pods.list(field_selector="status.phase=Running")) == []


def test_three_pages(backend: Backend, ns: str) -> None:
    cms = backend.cs.core_v1.config_maps(ns)
    for i in range(7):
        cms.create({"metadata": {"name": f"page-{i}", "labels": {"paged": "y"}}})
    first = cms.list(label_selector="paged", limit=3)
    # with a label selector the server cannot count what remains
    assert len(first.items) == 3 and first.metadata.remaining_item_count is None
    second = cms.list(label_selector="paged", limit=3, continue_=first.metadata.continue_)
    assert len(second.items) == 3 and second.metadata.continue_
    third = cms.list(label_selector="paged", limit=3, continue_=second.metadata.continue_)
    assert len(third.items) == 1 and not third.metadata.continue_
    names = [i.metadata.name for page in (first, second, third) for i in page.items]
    assert names == [f"page-{i}" for i in range(7)]
    assert len(cms.list_all(label_selector="paged", page_size=2).items) == 7


def test_a_full_page_with_objects_left_has_a_continue_token(
    backend: Backend, labelled: str
) -> None:
    """As etcd pages: objects after a full page mean a continue token, matching or not."""
    cms = backend.cs.core_v1.config_maps(labelled)
    # the namespace also holds kube-root-ca.crt, after a..d by name
    page = cms.list(label_selector="app=web", limit=2)
    assert _names(page) == ["a", "b"] and page.metadata.continue_  # c, d, ... do not match
    rest = cms.list(label_selector="app=web", limit=2, continue_=page.metadata.continue_)
    assert _names(rest) == [] and not rest.metadata.continue_
    assert page.metadata.remaining_item_count is None  # unknown with a selector
    one = cms.list(field_selector="metadata.name=a", limit=1)  # one key read: nothing left
    assert _names(one) == ["a"] and not one.metadata.continue_
