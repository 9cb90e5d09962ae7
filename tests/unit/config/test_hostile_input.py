"""Malformed kubeconfigs: one clear ConfigError naming the file and the field."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kubeset.config import ConfigError, load_kubeconfig

from .conftest import WriteKubeconfig, b64, kubeconfig_doc


def _err(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_kubeconfig(path)
    # never a library traceback: no chained cause
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__ or info.value.__context__ is None
    return str(info.value)


def test_malformed_yaml(write_kubeconfig: WriteKubeconfig) -> None:
    path = write_kubeconfig(
        text="clusters:\n- name: c\n  cluster: {server: [unclosed\ntoken: SECRET-IN-SNIPPET\n"
    )
    msg = _err(path)
    assert f'error loading config file "{path}"' in msg
    assert "invalid YAML" in msg and "line" in msg
    assert "SECRET-IN-SNIPPET" not in msg  # no document snippet in the message


def test_top_level_list(write_kubeconfig: WriteKubeconfig) -> None:
    path = write_kubeconfig(text="- a\n- b\n")
    msg = _err(path)
    assert str(path) in msg and "got a list" in msg


def test_top_level_scalar(write_kubeconfig: WriteKubeconfig) -> None:
    msg = _err(write_kubeconfig(text="just a string\n"))
    assert "got a string" in msg


def test_wrong_types_name_field(write_kubeconfig: WriteKubeconfig) -> None:
    doc = kubeconfig_doc(
        clusters={"c": {"server": 6443, "insecure-skip-tls-verify": "yes"}},
        users={"u": {"token": ["a"], "as-groups": "admins"}},
        contexts={"ctx": {"cluster": "c", "user": "u"}},
        current="ctx",
    )
    path = write_kubeconfig(doc=doc)
    msg = _err(path)
    assert str(path) in msg
    for part in (
        "clusters[0].cluster.server: expected a string, got a number",
        "clusters[0].cluster.insecure-skip-tls-verify: expected true or false, got a string",
        "users[0].user.token: expected a string, got a list",
        "users[0].user.as-groups: expected a list of strings",
    ):
        assert part in msg


def test_section_of_wrong_type(write_kubeconfig: WriteKubeconfig) -> None:
    msg = _err(write_kubeconfig(text="clusters: nope\nusers: {a: b}\ncontexts:\n- 3\n"))
    assert "clusters: expected a list, got a string" in msg
    assert "users: expected a list, got a mapping" in msg
    assert "contexts[0]: expected a mapping, got a number" in msg


def test_bad_base64(write_kubeconfig: WriteKubeconfig) -> None:
    doc = kubeconfig_doc(
        clusters={"c": {"server": "https://x", "certificate-authority-data": "not base64!!"}},
        users={"u": {"client-certificate-data": b64("x"), "client-key-data": "%%%"}},
        contexts={"ctx": {"cluster": "c", "user": "u"}},
    )
    path = write_kubeconfig(doc=doc)
    msg = _err(path)
    assert "clusters[0].cluster.certificate-authority-data: is not valid base64" in msg
    assert "users[0].user.client-key-data: is not valid base64" in msg
    assert "%%%" not in msg


def test_duplicate_names_in_one_file(write_kubeconfig: WriteKubeconfig) -> None:
    text = "clusters:\n- name: c\n  cluster: {server: https://a}\n- name: c\n  cluster: {server: https://b}\n"
    msg = _err(write_kubeconfig(text=text))
    assert 'clusters[1].name: duplicate name "c"' in msg


def test_unreadable_file(write_kubeconfig: WriteKubeconfig, tmp_path: Path) -> None:
    # a directory where the file should be (chmod cannot stop root from reading)
    folder = tmp_path / "is-a-dir"
    folder.mkdir()
    msg = _err(folder)
    assert f'error loading config file "{folder}"' in msg


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files regardless of mode")
def test_unreadable_file_permissions(write_kubeconfig: WriteKubeconfig) -> None:  # pragma: no cover
    path = write_kubeconfig(text="clusters: []\n")
    path.chmod(0)
    msg = _err(path)
    assert "Permission denied" in msg


def test_not_utf8(write_kubeconfig: WriteKubeconfig, tmp_path: Path) -> None:
    path = tmp_path / "binary"
    path.write_bytes(b"clusters:\n- \x80\x81 garbage\n")
    msg = _err(path)
    assert str(path) in msg and "not valid text" in msg


def test_bad_file_in_kubeconfig_list_is_an_error(
    write_kubeconfig: WriteKubeconfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = write_kubeconfig(
        "good",
        doc=kubeconfig_doc(
            clusters={"c": {"server": "https://x"}},
            contexts={"ctx": {"cluster": "c"}},
            current="ctx",
        ),
    )
    bad = write_kubeconfig("bad", text="[1, 2")
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(good), str(bad)]))
    with pytest.raises(ConfigError) as info:
        load_kubeconfig()
    assert f'error loading config file "{bad}"' in str(info.value)


def test_empty_and_null_sections_are_fine(write_kubeconfig: WriteKubeconfig) -> None:
    text = (
        "apiVersion: v1\nkind: Config\npreferences: {}\nusers: null\n"
        "clusters:\n- name: c\n  cluster:\n    server: https://x\n"
        "contexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\n"
        "current-context: ctx\n"
    )
    assert load_kubeconfig(write_kubeconfig(text=text)).host == "https://x"


def test_empty_file_is_an_empty_config(write_kubeconfig: WriteKubeconfig) -> None:
    msg = _err(write_kubeconfig(text=""))
    assert "no configuration has been provided" in msg


def test_permission_denied_names_file(
    write_kubeconfig: WriteKubeconfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    # root ignores file modes, so deny the read at the open() call instead
    import builtins

    path = write_kubeconfig(text="clusters: []\n")
    real_open = builtins.open

    def deny(file: object, *args: object, **kwargs: object) -> object:
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", deny)
    msg = _err(path)
    assert msg == f'error loading config file "{path}": Permission denied'
