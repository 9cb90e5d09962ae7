"""A client-side validation error never echoes the value it rejected (Secret data, tokens)."""

from __future__ import annotations

import pytest
from kubeset.kubernetes.models.core.v1 import Secret
from pydantic import ValidationError

VALUE = "hunter2-not-base64!"


@pytest.mark.parametrize(
    "fields",
    [
        {"data": {"password": VALUE}},
        {"data": {"password": [VALUE]}},
        {"string_data": {"password": [VALUE]}},
        {"metadata": {"annotations": {"token": [VALUE]}}},
    ],
)
def test_validation_errors_do_not_echo_the_input(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as info:
        Secret(**fields)  # type: ignore[arg-type]
    for text in (str(info.value), repr(info.value), repr(info.value.errors(include_input=False))):
        assert "hunter2" not in text
    assert "password" in str(info.value) or "token" in str(info.value)  # still says where


def test_valid_base64_still_decodes() -> None:
    assert Secret(data={"password": "aHVudGVyMg=="}).data == {"password": b"hunter2"}
