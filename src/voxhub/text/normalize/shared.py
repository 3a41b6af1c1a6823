"""What both languages' rules share: number patterns, limits, and applying rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

# A number: 1,234,567 (groups of three) or 1234567, with an optional decimal part.
NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
# A leading minus only when it cannot be a hyphen or a subtraction between two words/numbers.
# The number must start a digit run: besides being right, this keeps long digit strings linear.
SIGNED = rf"(?:(?<![0-9A-Za-z])[-−])?(?<![0-9]){NUM}"
# Longer strings (phone numbers, ids) are read digit by digit; this also keeps int() far below
# Python's 4300-digit conversion limit.
MAX_CARDINAL_DIGITS = 12
MAX_ZH_CARDINAL_DIGITS = 16
PHONE_MIN_DIGITS = 7
MIN_YEAR, MAX_YEAR = 1100, 2099


def apply_rules(rules: list[Rule], text: str) -> str:
    for pattern, replace in rules:
        text = pattern.sub(replace, text)
    return text


def split_number(token: str) -> tuple[bool, str, str]:
    """'-1,234.50' -> (negative, '1234', '50')."""
    negative = token[:1] in "-−" and len(token) > 1
    body = token[1:] if negative else token
    integer, _, decimals = body.replace(",", "").partition(".")
    return negative, integer, decimals


def is_valid_date(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def unit_alternation(units: Iterable[str]) -> str:
    # Longest first so "km" wins over "m" and "mAh" over "m".
    return "|".join(re.escape(unit) for unit in sorted(units, key=len, reverse=True))


def pad(match: re.Match[str], spoken: str) -> str:
    """Keep words apart when a replacement touches letters or digits ("MP3" -> "MP three")."""
    text = match.string
    if match.start() > 0 and text[match.start() - 1].isalnum():
        spoken = " " + spoken
    if match.end() < len(text) and text[match.end()].isalnum():
        spoken += " "
    return spoken
