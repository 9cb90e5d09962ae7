"""Discovery, its cache and the RESTMapper over a MockTransport (no server), on both stacks.

Every test runs twice: through the sync clients and through the asyncio ones (``DiscoveryClient``,
``CachedDiscoveryClient`` and ``RESTMapper`` over an ``AsyncRESTClient``, seen through the test
bridge), held to the same assertions.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubeset.discovery import (
    CachedDiscoveryClient,
    DiscoveryClient,
    RESTMapper,
    default_cache_dir,
)
from kubeset.errors import AmbiguousMatchError, NoMatchError
from stacks import STACKS, Stack

from .fake import FakeDiscovery, Res, standard


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    with Stack(request.param) as s:
        yield s


def _rest(fake: FakeDiscovery, stack: Stack) -> Any:
    return fake.async_rest() if stack.is_async else fake.rest()


def discovery(fake: FakeDiscovery, stack: Stack) -> Any:
    """A DiscoveryClient of ``fake`` on the stack (bridged on asyncio)."""
    return stack.wrap(DiscoveryClient(_rest(fake, stack)))


def cached_discovery(fake: FakeDiscovery, stack: Stack, **options: Any) -> Any:
    """A CachedDiscoveryClient of ``fake`` on the stack."""
    return stack.wrap(CachedDiscoveryClient(DiscoveryClient(_rest(fake, stack)), **options))


def test_aggregated_and_legacy_give_the_same_answer(stack: Stack) -> None:
    agg = FakeDiscovery(standard())
    legacy = FakeDiscovery(standard(), aggregated=False)
    a = discovery(agg, stack).server_groups_and_resources()
    b = discovery(legacy, stack).server_groups_and_resources()
    assert agg.paths == ["api", "apis"]
    assert (
        legacy.paths[:2] == ["api", "apis"] and len(legacy.paths) == 2 + 6
    )  # one per group version
    assert a.groups == b.groups
    assert sorted(a.resources, key=repr) == sorted(b.resources, key=repr)
    scale = next(r for r in a.resources if r.name == "deployments/scale")
    assert (scale.kind, scale.kind_group_version, scale.group, scale.version) == (
        "Scale",
        "autoscaling/v1",
        "apps",
        "v1",
    )
    assert (
        next(g for g in a.groups if g.name == "a.example.com").preferred_version
        == "a.example.com/v2"
    )


def test_a_refused_aggregated_request_falls_back_to_legacy(stack: Stack) -> None:
    fake = FakeDiscovery(standard(), refuse_aggregated=True)
    found = discovery(fake, stack).server_groups_and_resources()
    assert fake.paths[:3] == ["api", "api", "apis"]  # refused, then the legacy documents
    assert len(fake.paths) == 3 + 6  # and one per group version
    assert any(r.name == "deployments" for r in found.resources) and found.failed == ()


@pytest.mark.parametrize("aggregated", [True, False])
def test_a_broken_group_version_is_reported_beside_the_rest(aggregated: bool, stack: Stack) -> None:
    fake = FakeDiscovery(standard(), aggregated=aggregated, broken={"b.example.com/v1"})
    found = discovery(fake, stack).server_groups_and_resources()
    assert [f.group_version for f in found.failed] == ["b.example.com/v1"]
    reason = found.failed[0].reason
    assert (
        ("Stale" in reason or "stale" in reason) if aggregated else "ServiceUnavailable" in reason
    )
    assert any(r.name == "deployments" for r in found.resources)
    assert not any(r.group_version == "b.example.com/v1" for r in found.resources)
    assert any(g.name == "b.example.com" for g in found.groups)  # the group is still listed


def test_the_legacy_methods_still_work(stack: Stack) -> None:
    client = discovery(FakeDiscovery(standard()), stack)
    assert [g.name for g in client.server_groups()][:2] == ["", "apps"]
    assert [r.name for r in client.server_resources_for_group_version("apps/v1")] == [
        "deployments",
        "deployments/status",
        "deployments/scale",
    ]
    preferred = client.server_preferred_resources()
    assert {r.group_version for r in preferred if r.name == "widgets"} == {
        "a.example.com/v2",
        "b.example.com/v1",
    }
    assert not any(r.is_subresource for r in preferred)


def test_cache_memory_disk_ttl_invalidate(tmp_path: Path, stack: Stack) -> None:
    fake = FakeDiscovery(standard())
    cached = cached_discovery(fake, stack, cache_dir=tmp_path / "c")
    first = cached.server_groups_and_resources()
    assert cached.server_groups_and_resources() is first and len(fake.paths) == 2 and cached.fresh
    path = cached.cache_file
    assert path is not None and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "c").stat().st_mode) == 0o700
    # a second client (a new process) reads the file
    other = cached_discovery(fake, stack, cache_dir=tmp_path / "c")
    assert other.server_groups_and_resources() == first and len(fake.paths) == 2 and not other.fresh
    # expired file: asked again
    old = path.stat().st_mtime - 7200
    os.utime(path, (old, old))
    stale = cached_discovery(fake, stack, cache_dir=tmp_path / "c", ttl=3600)
    stale.server_groups_and_resources()
    assert len(fake.paths) == 4
    # invalidate: asked again, not read back from the file
    other.invalidate()
    other.server_groups_and_resources()
    assert len(fake.paths) == 6 and other.fresh


@pytest.mark.parametrize(
    "content", [b"not json", b'{"format": 1}', b'{"format": 99, "groups": []}', b"[]"]
)
def test_a_corrupt_cache_file_is_ignored(tmp_path: Path, content: bytes, stack: Stack) -> None:
    fake = FakeDiscovery(standard())
    cached = cached_discovery(fake, stack, cache_dir=tmp_path)
    assert cached.cache_file is not None
    cached.cache_file.write_bytes(content)
    assert any(r.name == "pods" for r in cached.server_groups_and_resources().resources)
    assert json.loads(cached.cache_file.read_bytes())["format"] == 1  # rewritten


def test_default_cache_dir_follows_kubectl(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path))
    assert default_cache_dir("https://127.0.0.1:6443/") == tmp_path / "discovery" / "127.0.0.1_6443"
    monkeypatch.delenv("KUBECACHEDIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert (
        default_cache_dir("https://k8s.example.com")
        == tmp_path / ".kube" / "cache" / "discovery" / "k8s.example.com"
    )


def test_memory_only_cache_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stack: Stack
) -> None:
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path))
    cached = CachedDiscoveryClient(
        DiscoveryClient(_rest(FakeDiscovery(standard()), stack)), disk=False
    )
    cached = stack.wrap(cached)
    cached.server_groups_and_resources()
    assert cached.cache_file is None and list(tmp_path.iterdir()) == []


def mapper_for(groups: dict[str, dict[str, list[Res]]], stack: Stack) -> tuple[Any, FakeDiscovery]:
    fake = FakeDiscovery(groups)
    found = CachedDiscoveryClient(DiscoveryClient(_rest(fake, stack)), disk=False)
    return stack.wrap(RESTMapper(found)), fake


def test_mapper_names_scope_preferred_version_and_categories(stack: Stack) -> None:
    mapper, _ = mapper_for(standard(), stack)
    m = mapper.rest_mapping("Deployment")
    assert (m.group, m.version, m.resource, m.namespaced, m.subresources) == (
        "apps",
        "v1",
        "deployments",
        True,
        ("status", "scale"),
    )
    assert m.group_resource == "deployments.apps" and m.api_version == "apps/v1"
    assert (
        mapper.find("deploy")
        == m
        == mapper.find("deployment")
        == mapper.find("Deployment")
        == mapper.find("deployments.apps")
    )
    assert mapper.find("ns").namespaced is False
    assert mapper.rest_mapping("Widget", group="a.example.com").version == "v2"  # preferred
    assert mapper.rest_mapping("Widget", group="a.example.com", version="v1").version == "v1"
    assert [x.version for x in mapper.rest_mappings("Widget", group="a.example.com")] == [
        "v2",
        "v1",
    ]
    assert mapper.rest_mapping("Event").group == ""  # the core group wins
    assert mapper.find("ev").group == ""
    assert {x.resource for x in mapper.for_category("all")} == {"pods", "deployments"}
    assert mapper.kind_for("po") == "Pod" and mapper.resource_for("Namespace") == "namespaces"
    assert mapper.rest_mapping_for("v1", "Pod").resource == "pods"


def test_mapper_ambiguous_and_unknown_name_candidates(stack: Stack) -> None:
    mapper, fake = mapper_for(standard(), stack)
    with pytest.raises(AmbiguousMatchError) as amb:
        mapper.rest_mapping("Widget")
    assert amb.value.candidates == (
        "Widget widgets.a.example.com (a.example.com/v2)",
        "Widget widgets.a.example.com (a.example.com/v1)",
        "Widget widgets.b.example.com (b.example.com/v1)",
    )
    assert "widgets.b.example.com" in str(amb.value)
    with pytest.raises(AmbiguousMatchError):
        mapper.find("wd")
    before = len(fake.paths)
    with pytest.raises(NoMatchError) as unknown:
        mapper.rest_mapping("Deploymnt")
    assert "Deployment" in unknown.value.candidates and "did you mean: Deployment" in str(
        unknown.value
    )
    assert len(fake.paths) == before + 2  # exactly one refresh before failing


def test_mapper_miss_refreshes_once_and_finds_a_new_kind(stack: Stack) -> None:
    groups = standard()
    mapper, fake = mapper_for(groups, stack)
    mapper.rest_mapping("Pod")
    groups["new.example.com"] = {"v1": [Res("gadgets", "Gadget")]}
    assert mapper.rest_mapping("Gadget").group == "new.example.com"
    assert fake.paths == ["api", "apis", "api", "apis"]
    mapper.rest_mapping("Gadget")
    assert len(fake.paths) == 4  # found in the cache now


def test_concurrent_tasks_share_one_discovery_of_the_async_cache() -> None:
    fake = FakeDiscovery(standard())

    async def main() -> list[Any]:
        cached = CachedDiscoveryClient(DiscoveryClient(fake.async_rest()), disk=False)
        return list(await asyncio.gather(*(cached.server_groups_and_resources() for _ in range(8))))

    answers = asyncio.run(main())
    assert fake.paths == ["api", "apis"]  # asked once
    assert all(a is answers[0] for a in answers)
