"""Field types every route shares: client text checked once, bounded integers and headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Header
from pydantic import BeforeValidator, ConfigDict, Field, GetJsonSchemaHandler, WithJsonSchema
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from voxhub.audio.formats import ACCEPTED_RATES, AudioFormat
from voxhub.text.encodable import text_problem
from voxhub.text.language import SUPPORTED_LANGUAGES

# event ids are 64-bit database keys; larger numbers overflow them
MAX_EVENT_ID = 2**63 - 1
# a list's offset: far beyond any table, well inside every database's integers
MAX_OFFSET = 2**31 - 1

# white space as str.strip() removes it, spelled out because the \s of Python and of the
# ECMA-262 regexes JSON Schema validators use differ (U+001C-U+001F, U+0085, U+FEFF)
_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# no NUL in any text (unpaired surrogates are refused too; JSON Schema cannot say that)
NO_NUL = r"^[^\x00]*$"
# text to speak: no NUL, and something besides white space (blank text is refused, 422)
SPOKEN = rf"^[^\x00]*[^\x00{_SPACE}][^\x00]*$"
# a document keyword that api/openapi replaces with maxLength: the named character limit
# from settings (text over it is answered 413, after edge white space is removed)
MAX_CHARS = "x-voxhub-max-chars"

FORMAT_NAMES = [fmt.value for fmt in AudioFormat]
# 0, like no rate at all, means the voice's own
SAMPLE_RATES = [0, *ACCEPTED_RATES]


# compared and hashed by identity: type annotations are hashed, and the keywords hold lists
@dataclass(frozen=True, eq=False)
class Documented:
    """JSON Schema keywords for the OpenAPI document only: they say what a service checks
    (and answers with its own error codes) without pydantic checking it first."""

    keywords: Mapping[str, Any]

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(core_schema), **self.keywords}


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
Text = Annotated[str, TEXT, Documented({"pattern": NO_NUL})]
# a name, id or text that must say something (blank ones are refused by the service)
NonBlank = Annotated[str, TEXT, Documented({"pattern": SPOKEN})]
# the text of online synthesis, of a long-text job, and of GLM-TTS's route
OnlineText = Annotated[str, TEXT, Documented({"pattern": SPOKEN, MAX_CHARS: "online"})]
JobText = Annotated[str, TEXT, Documented({"pattern": SPOKEN, MAX_CHARS: "jobs"})]
GLMText = Annotated[str, TEXT, Documented({"pattern": SPOKEN, MAX_CHARS: "glmtts"})]
# names the services look up themselves, ignoring case and edge white space (and, for
# languages, region subtags: zh-CN, en-US; formats take aliases: wave, mpeg, ogg, raw, ...)
FormatName = Annotated[str, TEXT, Documented({"enum": FORMAT_NAMES})]
LanguageTag = Annotated[str, TEXT, Documented({"enum": list(SUPPORTED_LANGUAGES)})]
SampleRate = Annotated[int, Documented({"enum": SAMPLE_RATES})]

# JSON bodies: a number is a JSON number and a flag true or false, as documented (pydantic's
# lax mode would take "1.5", true or 1 for them); forms and query strings carry them as text
JSON_BODY = ConfigDict(strict=True)

# the bounds sit on the integer: an empty header is None, which has none
EventId = Annotated[int, Field(ge=0, le=MAX_EVENT_ID)]
LastEventId = Annotated[
    EventId | None,
    BeforeValidator(_event_id),
    # a header is text: an empty one means none
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_EVENT_ID},
                {"type": "string", "maxLength": 0},
            ]
        }
    ),
    Header(alias="Last-Event-ID", description="Resume after this event id (sent by EventSource)."),
]
