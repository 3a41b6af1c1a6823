"""English: Roman numerals after rulers' names (Henry VIII) and in World War II."""

from __future__ import annotations

import re

from voxhub.text.normalize.en_words import en_cardinal, en_ordinal
from voxhub.text.normalize.shared import Rule

_VALUES = (
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)
# A numeral is read only where it cannot be a letter or a word: after a title and a name, or
# after a name that kings, queens and popes share.
_TITLES = r"King|Queen|Pope|Emperor|Empress|Tsar|Czar|Kaiser|Prince|Princess|Duke|Sultan"
_REGNAL_NAMES = (
    r"Henry|Elizabeth|Louis|George|Edward|Charles|William|James|Richard|Philip|Frederick|"
    r"Ferdinand|Napoleon|Benedict|Pius|Leo|Gregory|Innocent|Clement|Boniface|Urban|Alexander"
)
_NUMERAL = r"[IVX]{1,6}"


def roman_value(numeral: str) -> int | None:
    """'VIII' -> 8; None unless it is a well-formed numeral below 40."""
    value, rest = 0, numeral
    for amount, symbol in _VALUES:
        while rest.startswith(symbol):
            value, rest = value + amount, rest[len(symbol) :]
    if rest or not 0 < value < 40 or _numeral(value) != numeral:
        return None
    return value


def _numeral(value: int) -> str:
    out = ""
    for amount, symbol in _VALUES:
        count, value = divmod(value, amount)
        out += symbol * count
    return out


def _regnal(match: re.Match[str]) -> str:
    value = roman_value(match.group(2))
    # "James I" without a title may be James and the pronoun: "when James I arrived"
    if value is None or (value == 1 and not re.match(_TITLES, match.group(1))):
        return match.group(0)
    return f"{match.group(1)} the {en_ordinal(str(value)).capitalize()}"


def _war(match: re.Match[str]) -> str:
    value = roman_value(match.group(1))
    return match.group(0) if value is None else f"World War {en_cardinal(value).capitalize()}"


EN_ROMAN_RULES: list[Rule] = [
    (
        re.compile(
            rf"\b((?:(?:{_TITLES})\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?|{_REGNAL_NAMES}))"
            rf"\s+({_NUMERAL})\b"
        ),
        _regnal,
    ),
    (re.compile(rf"\bWorld War\s+({_NUMERAL})\b"), _war),
]
