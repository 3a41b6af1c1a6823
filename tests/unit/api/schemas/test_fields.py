"""The shared field types: client text checked in every model or form, bounded event ids."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from voxhub.api.schemas.fields import MAX_EVENT_ID, TEXT, LastEventId, Text


class _Body(BaseModel):
    text: Text
    names: list[Text] = []
    either: Annotated[str | int | None, TEXT] = None


def _error(**fields: object) -> dict[str, object]:
    with pytest.raises(ValidationError) as caught:
        _Body.model_validate(fields)
    (error,) = caught.value.errors()
    return dict(error)


def test_valid_text_passes_unchanged() -> None:
    body = _Body.model_validate({"text": "你好 😀", "names": ["a", "b"], "either": "x"})
    assert body.text == "你好 😀" and body.names == ["a", "b"] and body.either == "x"


def test_a_surrogate_is_refused_where_it_is_with_what_to_do() -> None:
    error = _error(text="\ud800 x")
    assert error["type"] == "invalid_text" and error["loc"] == ("text",)
    assert (
        error["msg"] == "contains an unpaired surrogate (U+D800) at position 0; send valid Unicode"
    )
    listed = _error(text="ok", names=["fine", "\udfff"])
    assert listed["loc"] == ("names", 1) and "U+DFFF" in str(listed["msg"])


def test_in_a_union_only_strings_are_checked() -> None:
    assert _Body.model_validate({"text": "ok", "either": 1001}).either == 1001
    error = _error(text="ok", either="\ud800")
    assert error["type"] == "invalid_text" and error["loc"] == ("either",)


def test_other_types_are_left_to_the_type() -> None:
    assert _error(text=5)["type"] == "string_type"


_EVENT_ID: TypeAdapter[int | None] = TypeAdapter(LastEventId)


@pytest.mark.parametrize(
    ("header", "cursor"), [("", None), ("0", 0), ("42", 42), (str(MAX_EVENT_ID), MAX_EVENT_ID)]
)
def test_event_ids_within_a_64_bit_key(header: str, cursor: int | None) -> None:
    assert _EVENT_ID.validate_python(header) == cursor


@pytest.mark.parametrize("header", ["yesterday", "-1", "+5", " 5", "²", "١٢", "1e3"])
def test_anything_but_ascii_digits_is_not_an_event_id(header: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _EVENT_ID.validate_python(header)
    assert caught.value.errors()[0]["type"] == "event_id"


def test_an_id_past_a_64_bit_key_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        _EVENT_ID.validate_python(str(MAX_EVENT_ID + 1))
    assert caught.value.errors()[0]["type"] == "less_than_equal"
