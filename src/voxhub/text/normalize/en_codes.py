"""English: phone numbers, codes and model numbers, which are not read as amounts."""

from __future__ import annotations

import re

from voxhub.text.normalize.en_words import ONES, en_cardinal, en_digits
from voxhub.text.normalize.shared import Rule, pad

# Words after which a number names something (room 302, PIN 4821) rather than counts it.
_KEYWORDS = (
    r"(?i:room|flight|gate|platform|suite|apartment|apt\.?|order|account|zip(?: code)?"
    r"|postcode|pin|extension|ext\.|reference|confirmation|tracking|serial)|Boeing"
)
# Letters that start a code (UA 857, A1234) but are amounts or eras before a number.
_NOT_CODES = frozenset({"AD", "BC", "CE", "BCE", "USD", "EUR", "GBP", "JPY", "CNY", "RMB"})


def en_code(digits: str) -> str:
    """Three digits are said as one and a pair (three oh two, seven forty-seven, one hundred);
    other lengths, and anything with leading zeros, digit by digit."""
    if len(digits) != 3 or digits.startswith("0"):
        return en_digits(digits)
    head, pair = ONES[int(digits[0])], int(digits[1:])
    if pair == 0:
        return f"{head} hundred"
    return f"{head} {f'oh {ONES[pair]}' if pair < 10 else en_cardinal(pair)}"


def _groups(text: str) -> str:
    return ", ".join(en_digits(group) for group in re.findall(r"[0-9]+", text))


def _international(match: re.Match[str]) -> str:
    return pad(match, "plus " + _groups(match.group(1)))


def _phone(match: re.Match[str]) -> str:
    return pad(match, _groups(match.group(0)))


def _dialled(match: re.Match[str]) -> str:
    return f"{match.group(1)}{en_digits(match.group(2))}"


def _after_keyword(match: re.Match[str]) -> str:
    keyword, between, digits = match.group(1, 2, 3)
    between = re.sub(r"#|No\.\s*", "number ", between)
    return f"{keyword}{between}{en_code(digits)}"


def _lettered(match: re.Match[str]) -> str:
    letters, digits = match.group(1, 3)
    if letters in _NOT_CODES or (len(digits) == 4 and digits.startswith(("19", "20"))):
        return match.group(0)
    return pad(match, f"{letters} {en_code(digits)}")


EN_CODE_RULES: list[Rule] = [
    # +1 415 555 2671
    (
        re.compile(r"(?<![0-9A-Za-z])\+([0-9]{1,3}(?:[ .-][0-9]{2,5}){2,})(?![0-9])"),
        _international,
    ),
    # 650.555.1212 and 020 7946 0958
    (
        re.compile(
            r"(?<![0-9.])(?:[0-9]{3}\.[0-9]{3}\.[0-9]{4}|0[0-9]{2,4} [0-9]{3,4} [0-9]{4})"
            r"(?![0-9]|\.[0-9])"
        ),
        _phone,
    ),
    # dial 911
    (re.compile(r"\b((?i:dial|call|text)\s+)([0-9]{3,})\b(?![-.][0-9])"), _dialled),
    (
        re.compile(
            rf"\b({_KEYWORDS})(\s+(?:is\s+)?(?:#\s*|No\.\s*|number\s+)?)([0-9]{{3,}})\b"
            r"(?![.,][0-9])"
        ),
        _after_keyword,
    ),
    # UA 857, A1234
    (re.compile(r"\b([A-Z]{1,3})( ?)([0-9]{3,5})\b(?![.,][0-9])"), _lettered),
]
