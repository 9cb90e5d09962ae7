"""The request record: calls as plain data and the assertions over writes."""

from __future__ import annotations

import pytest
from kubeset import errors
from kubeset.testing import FakeTransport, UnexpectedWrites, Write
from kubeset.testing.record import check_writes


def test_calls_carry_method_path_query_body_and_status() -> None:
    fake = FakeTransport()
    cms = fake.clientset(sleep=lambda s: None).core_v1.config_maps("default")
    cms.create({"metadata": {"name": "c"}, "data": {"k": "v"}})
    cms.list(label_selector="a=b", limit=5)
    with pytest.raises(errors.NotFound):
        cms.get("missing")
    cms.apply({"metadata": {"name": "c"}, "data": {"j": "w"}}, field_manager="me")
    create, listing, missing, apply = fake.calls
    assert (create.method, create.path, create.status) == (
        "POST",
        "/api/v1/namespaces/default/configmaps",
        201,
    )
    assert create.body["data"] == {"k": "v"} and create.is_write
    assert listing.query == {"labelSelector": "a=b", "limit": "5"} and listing.body is None
    assert not listing.is_write and listing.status == 200
    assert (missing.path, missing.status) == ("/api/v1/namespaces/default/configmaps/missing", 404)
    assert apply.method == "PATCH" and apply.body["data"] == {"j": "w"}  # YAML or JSON, decoded
    assert apply.query["fieldManager"] == "me"
    assert [c.request for c in fake.calls] == fake.requests


def test_assert_no_writes_lists_the_writes_it_found() -> None:
    fake = FakeTransport()
    cms = fake.clientset().core_v1.config_maps("default")
    cms.list()
    fake.assert_no_writes()
    start = len(fake.calls)
    cms.create({"metadata": {"name": "c"}}, dry_run=True)  # a dry run is a write request too
    with pytest.raises(UnexpectedWrites, match=r"expected no writes, got 1:\n  POST /api/v1/"):
        fake.assert_no_writes()
    fake.assert_no_writes(since=len(fake.calls))
    assert [c.method for c in fake.writes(since=start)] == ["POST"]


def test_assert_writes_in_order_with_partial_bodies() -> None:
    fake = FakeTransport()
    cms = fake.clientset().core_v1.config_maps("default")
    cms.create({"metadata": {"name": "a"}, "data": {"k": "1", "x": "y"}})
    cms.get("a")  # reads in between are ignored
    cms.patch("a", {"data": {"k": "2"}})
    cms.delete("a")
    base = "/api/v1/namespaces/default/configmaps"
    fake.assert_writes(
        Write("POST", base, body={"data": {"k": "1"}}, status=201),
        Write("PATCH", f"{base}/a", body={"data": {"k": "2"}}),
        Write("delete", f"{base}/a/", status=200),
    )
    with pytest.raises(
        UnexpectedWrites, match=r"expected 2 writes:\n  POST .*\n  DELETE .*\ngot 3:"
    ):
        fake.assert_writes(Write("POST", base), Write("DELETE", f"{base}/a"))
    with pytest.raises(AssertionError):  # the order counts
        fake.assert_writes(
            Write("POST", base), Write("DELETE", f"{base}/a"), Write("PATCH", f"{base}/a")
        )
    with pytest.raises(AssertionError):  # a body value that differs
        fake.assert_writes(
            Write("POST", base, body={"data": {"k": "9"}}),
            Write("PATCH", f"{base}/a"),
            Write("DELETE", f"{base}/a"),
        )
    with pytest.raises(AssertionError):  # a query parameter that was not sent
        fake.assert_writes(
            Write("POST", base, query={"dryRun": "All"}),
            Write("PATCH", f"{base}/a"),
            Write("DELETE", f"{base}/a"),
        )
    fake.assert_writes(Write("DELETE", f"{base}/a"), since=3)
    check_writes([], [])


def test_a_failed_write_and_a_timed_out_one_are_recorded() -> None:
    fake = FakeTransport(sleep=lambda s: None)
    cms = fake.clientset(timeout=1, max_retries=0).core_v1.config_maps("default")
    fake.fail_next(403, verb="create")
    with pytest.raises(errors.Forbidden):
        cms.create({"metadata": {"name": "a"}})
    fake.slow_next(5, verb="create")
    with pytest.raises(errors.RequestTimeout):
        cms.create({"metadata": {"name": "a"}})
    path = "/api/v1/namespaces/default/configmaps"
    fake.assert_writes(Write("POST", path, status=403), Write("POST", path, status=None))
    assert [c.status for c in fake.calls] == [403, None]
