"""cp to and from a "container" whose file system is this host's (tar runs locally)."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubeset.errors import StreamError
from kubeset.kubernetes.clients.core_v1 import PodsClient
from kubeset.streams.cp import member_target, strip_shortcuts
from streamhelpers import files, tree

from .conftest import pods_of
from .wsserver import StreamServer


def test_a_tree_goes_into_the_container_with_its_symlink(pods: PodsClient, tmp_path: Path) -> None:
    src = tmp_path / "site"
    tree(src)
    remote = tmp_path / "container"
    remote.mkdir()
    pods.cp_to("p", src, str(remote), timeout=60)  # an existing folder: the source keeps its name
    assert files(remote / "site") == files(src)
    pods.cp_to("p", src / "data.bin", str(remote / "renamed.bin"), timeout=60)
    assert (remote / "renamed.bin").read_bytes() == (src / "data.bin").read_bytes()


def test_a_tree_comes_out_of_the_container_symlinks_skipped(
    pods: PodsClient, tmp_path: Path
) -> None:
    remote = tmp_path / "container" / "site"
    tree(remote)
    dest = tmp_path / "local"
    warnings = pods.cp_from("p", str(remote), dest, timeout=60)
    expected = {k: v for k, v in files(remote).items() if k != "link"}
    assert files(dest) == expected
    assert warnings == [f"skipping symlink: {str(dest / 'link')!r} -> 'data.bin'"]
    kept = tmp_path / "kept"
    assert pods.cp_from("p", str(remote), kept, keep_symlinks=True, timeout=60) == []
    assert files(kept) == files(remote)
    one = tmp_path / "one.txt"
    pods.cp_from("p", str(remote / "sub dir" / "file with spaces.txt"), one, timeout=60)
    assert one.read_bytes() == b"spaced\n"


def test_missing_paths_and_missing_tar_are_clear(pods: PodsClient, tmp_path: Path) -> None:
    with pytest.raises(StreamError, match="doesn't exist in local filesystem"):
        pods.cp_to("p", tmp_path / "nope", "/tmp/x", timeout=60)
    with pytest.raises(StreamError, match="(?s)exit code 2.*nope"):
        pods.cp_from("p", str(tmp_path / "nope"), tmp_path / "out", timeout=60)
    srv = StreamServer(env={"PATH": str(tmp_path / "no-bin")})
    try:
        bare = pods_of(srv.url)
        (tmp_path / "f").write_text("x")
        with pytest.raises(StreamError, match="needs the 'tar' binary"):
            bare.cp_to("p", tmp_path / "f", str(tmp_path / "g"), timeout=60)
        with pytest.raises(StreamError, match="needs the 'tar' binary"):
            bare.cp_from("p", str(tmp_path / "f"), tmp_path / "h", timeout=60)
    finally:
        srv.close()


def test_the_path_rules_are_kubectls() -> None:
    assert strip_shortcuts("../../a/b") == "a/b"
    assert strip_shortcuts("..") == "" and strip_shortcuts("/x") == "x"
    assert member_target("var/log", "var/log/a.txt", "/dest") == "/dest/a.txt"
    assert member_target("var/log", "var/log", "/dest") == "/dest"
    assert member_target("var/log", "var/log/../../etc/passwd", "/dest") is None
    with pytest.raises(StreamError, match="corrupted"):
        member_target("var/log", "etc/passwd", "/dest")
