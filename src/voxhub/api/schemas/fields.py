"""Field types every route shares: client text checked once, bounded integers and headers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from voxhub.text.encodable import text_problem

# event ids are 64-bit database keys; larger numbers overflow them
MAX_EVENT_ID = 2**63 - 1
# a list's offset: far beyond any table, well inside every database's integers
MAX_OFFSET = 2**31 - 1


def _checked_text(value: object) -> object:
    """Refuses a string UTF-8 or the database cannot hold; other values pass to the type."""
    if isinstance(value, str) and (problem := text_problem(value)) is not None:
        raise PydanticCustomError("invalid_text", "{problem}", {"problem": problem})
    return value


def _event_id(value: object) -> object:
    """A Last-Event-ID header: empty means none, else decimal digits (checked before the
    integer bounds, so no digit outside ASCII, sign or space gets through)."""
    if value == "":
        return None
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise PydanticCustomError(
            "event_id",
            "not an event id; ids are integers from 0 to {largest}",
            {"largest": MAX_EVENT_ID},
        )
    return value


# for a union with str (`Annotated[str | int, TEXT]`): checks whichever string is sent
TEXT = BeforeValidator(_checked_text)
# every string field a client sends, in a body or a form
Text = Annotated[str, TEXT]

# the bounds sit on the integer: an empty header is None, which has none
EventId = Annotated[int, Field(ge=0, le=MAX_EVENT_ID)]
LastEventId = Annotated[
    EventId | None,
    BeforeValidator(_event_id),
    Header(alias="Last-Event-ID", description="Resume after this event id (sent by EventSource)."),
]
