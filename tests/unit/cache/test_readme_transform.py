"""The README's managedFields-dropping transform, as written there, on a fake cluster's informer."""

from __future__ import annotations

import re
from pathlib import Path

from kubeset.cache import SharedIndexInformer
from kubeset.kubernetes import Clientset
from kubeset.testing import FakeTransport

README = Path(__file__).resolve().parents[3] / "README.md"


def _transform_block() -> str:
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    found = [b for b in blocks if "def drop_managed_fields" in b]
    assert len(found) == 1, "README shows the managedFields-dropping transform once"
    return found[0]


def test_the_readme_transform_drops_managed_fields_from_cached_pods(
    kube_fake: FakeTransport,
) -> None:
    cs: Clientset = kube_fake.clientset()
    cs.core_v1.pods("default").apply(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]},
        },
        field_manager="someone",
    )
    assert cs.core_v1.pods("default").get("web").metadata.managed_fields  # the server keeps them
    scope: dict[str, object] = {"cs": cs}
    exec(_transform_block(), scope)  # noqa: S102 - the README's own code
    pods = scope["pods"]
    assert isinstance(pods, SharedIndexInformer)
    pods.start()
    try:
        assert pods.wait_for_cache_sync(timeout=10)
        (cached,) = pods.indexer.list()
        assert cached.metadata.name == "web"
        assert "managedFields" not in cached.metadata.model_dump(by_alias=True, exclude_unset=True)
        assert cached.metadata.managed_fields == []  # Go-shaped: an absent list reads empty
    finally:
        pods.stop()
