"""English: the rules that find written forms and read them with en_words."""

from __future__ import annotations

import re

from voxhub.text.normalize.en_codes import EN_CODE_RULES
from voxhub.text.normalize.en_roman import EN_ROMAN_RULES
from voxhub.text.normalize.en_words import (
    EN_CURRENCIES,
    EN_SCALE_SUFFIXES,
    EN_TITLES,
    EN_TRAILING_ABBREVIATIONS,
    EN_UNITS,
    MONTH_NAMES,
    ONES,
    en_cardinal,
    en_day_month,
    en_digits,
    en_integer,
    en_iso_date,
    en_month_day,
    en_number,
    en_ordinal,
    en_us_date,
    en_year,
    en_year_or_number,
)
from voxhub.text.normalize.shared import (
    MAX_CARDINAL_DIGITS,
    NUM,
    SIGNED,
    Rule,
    pad,
    split_number,
    unit_alternation,
)
from voxhub.text.normalize.symbols import EN_SYMBOL_RULES

_MERIDIEM = r"(?i:[ap]\.m\.|[ap]m)(?![A-Za-z])"
# a time that cannot be a plain number: 9:00, 9am, 9:30 p.m.
_CLOCK = rf"(?:[01]?[0-9]|2[0-4])(?::[0-5][0-9](?:\s?{_MERIDIEM})?|\s?{_MERIDIEM})"


def _en_meridiem(raw: str | None, match: re.Match[str]) -> str:
    """ " P M" for pm/p.m./PM; a period that also ended the text is kept."""
    if not raw:
        return ""
    letters = " ".join(char.upper() for char in raw if char.isalpha())
    at_end = match.end() == len(match.string) or match.string[match.end()] in "\n\r"
    return f" {letters}" + ("." if raw.endswith(".") and at_end else "")


def _en_time(match: re.Match[str]) -> str:
    hour, minute, second = int(match.group(1)), int(match.group(2)), match.group(3)
    meridiem = _en_meridiem(match.group(4), match)
    spoken = en_cardinal(hour)
    if minute == 0 and second is None:
        if not meridiem:
            spoken += " o'clock" if hour <= 12 else " hundred"
    elif minute < 10:
        spoken += f" oh {ONES[minute]}"
    else:
        spoken += f" {en_cardinal(minute)}"
    if second is not None:
        spoken += f" and {en_cardinal(int(second))} seconds"
    return pad(match, spoken + meridiem)


def _en_hour_meridiem(match: re.Match[str]) -> str:
    hour = int(match.group(1))
    if not 1 <= hour <= 12:
        return match.group(0)
    return pad(match, en_cardinal(hour) + _en_meridiem(match.group(2), match))


def _en_money_amount(
    integer: str, decimals: str, names: tuple[tuple[str, str], tuple[str, str] | None]
) -> str:
    (unit, units), cents = names
    if cents is not None and len(decimals) == 2 and len(integer) <= MAX_CARDINAL_DIGITS:
        main, sub = int(integer or "0"), int(decimals)
        parts = [f"{en_cardinal(main)} {unit if main == 1 else units}"] if main or not sub else []
        if sub:
            parts.append(f"{en_cardinal(sub)} {cents[0] if sub == 1 else cents[1]}")
        return " and ".join(parts)
    amount = en_number(integer + ("." + decimals if decimals else ""))
    return f"{amount} {unit if integer == '1' and not decimals else units}"


def _en_currency(match: re.Match[str]) -> str:
    sign, symbol, token, scale = match.group(1, 2, 3, 4)
    names = EN_CURRENCIES[symbol]
    _, integer, decimals = split_number(token)
    if scale:
        spoken = f"{en_number(token)} {EN_SCALE_SUFFIXES[scale]} {names[0][1]}"
    else:
        spoken = _en_money_amount(integer, decimals, names)
    return pad(match, ("minus " if sign else "") + spoken)


def _en_percent(match: re.Match[str]) -> str:
    return pad(match, f"{en_number(match.group(1))} percent")


def _en_unit(match: re.Match[str]) -> str:
    token, unit = match.group(1), match.group(2)
    singular, plural = EN_UNITS[unit]
    is_one = token.lstrip("-−") == "1"
    return pad(match, f"{en_number(token)} {singular if is_one else plural}")


def _en_fraction_name(numerator: int, denominator: int) -> str:
    if denominator == 2:
        return "half" if numerator == 1 else "halves"
    if denominator == 4:
        return "quarter" if numerator == 1 else "quarters"
    ordinal = en_ordinal(str(denominator))
    return ordinal if numerator == 1 else ordinal + "s"


def _en_fraction(match: re.Match[str]) -> str:
    numerator, denominator = int(match.group(1)), int(match.group(2))
    if denominator < 2:
        return match.group(0)
    if (numerator, denominator) == (24, 7):
        return pad(match, "twenty-four seven")
    return pad(match, f"{en_cardinal(numerator)} {_en_fraction_name(numerator, denominator)}")


def _en_mixed_number(match: re.Match[str]) -> str:
    """1 1/2 -> one and a half; 2 3/4 -> two and three quarters."""
    whole, numerator, denominator = (int(group) for group in match.group(1, 2, 3))
    if not 0 < numerator < denominator:
        return match.group(0)
    count = "a" if numerator == 1 else en_cardinal(numerator)
    name = _en_fraction_name(numerator, denominator)
    return pad(match, f"{en_cardinal(whole)} and {count} {name}")


def _en_ordinal_rule(match: re.Match[str]) -> str:
    return pad(match, en_ordinal(match.group(1).replace(",", "")))


def _en_range(match: re.Match[str]) -> str:
    return f"{match.group(1)} to {match.group(2)}"


def _en_money_range(match: re.Match[str]) -> str:
    """$10-$20 -> 10 to $20: the currency is said once, after the second amount."""
    return f"{match.group(2)} to {match.group(1)}{match.group(3)}"


def _en_early_year(match: re.Match[str]) -> str:
    return en_year(int(match.group(0)))


def _en_digit_groups(match: re.Match[str]) -> str:
    groups = re.findall(r"[0-9]+", match.group(0))
    return pad(match, ", ".join(en_digits(group) for group in groups))


def _en_dotted(match: re.Match[str]) -> str:
    return pad(match, " dot ".join(en_integer(part) for part in match.group(0).split(".")))


def _en_decade(match: re.Match[str]) -> str:
    """1990s / '90s / 80s -> nineteen nineties / nineties / eighties."""
    digits = match.group(1)
    if not digits.endswith("0"):
        return match.group(0)
    words = en_year_or_number(digits)
    plural = words[:-1] + "ies" if words.endswith("y") else words + "s"
    return pad(match, plural)


def _en_year_rule(match: re.Match[str]) -> str:
    return pad(match, en_year(int(match.group(1))))


def _en_plain_number(match: re.Match[str]) -> str:
    return pad(match, en_number(match.group(0)))


def _en_minus(match: re.Match[str]) -> str:
    return "minus "


def _en_ampersand(match: re.Match[str]) -> str:
    text = match.string
    left = " " if match.start() > 0 and not text[match.start() - 1].isspace() else ""
    right = " " if match.end() < len(text) and not text[match.end()].isspace() else ""
    return f"{left}and{right}"


def _en_title(match: re.Match[str]) -> str:
    return EN_TITLES[match.group(1)]


def _en_trailing_abbreviation(match: re.Match[str]) -> str:
    text = match.string
    at_end = match.end() == len(text) or text[match.end()] in "\n\r"
    return EN_TRAILING_ABBREVIATIONS[match.group(1)] + ("." if at_end else "")


def _en_suffix_title(match: re.Match[str]) -> str:
    text = match.string
    at_end = match.end() == len(text) or text[match.end()] in "\n\r"
    word = "Junior" if match.group(2) == "Jr" else "Senior"
    return match.group(1) + word + ("." if at_end else "")


EN_RULES: list[Rule] = [
    *EN_ROMAN_RULES,
    (re.compile(r"&"), _en_ampersand),
    (re.compile(r"\b(Mr|Mrs|Ms)\.(?=\s)"), _en_title),
    (re.compile(r"\b(Dr|Prof)\.(?=\s+[A-Z])"), _en_title),
    (re.compile(r"\b(etc|Inc|Ltd|Corp)\."), _en_trailing_abbreviation),
    (re.compile(r"\b([A-Z][a-z]+,?\s+)(Jr|Sr)\."), _en_suffix_title),
    (re.compile(r"\bvs\.(?=\s)"), lambda _: "versus"),
    (re.compile(r"\be\.g\.(?=[\s,])"), lambda _: "for example"),
    (re.compile(r"\bi\.e\.(?=[\s,])"), lambda _: "that is"),
    (re.compile(r"\bNo\.\s*(?=[0-9])"), lambda _: "number "),
    (re.compile(r"#(?=[0-9])"), lambda m: pad(m, "number")),
    (
        re.compile(r"(?<![0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])"),
        en_iso_date,
    ),
    (
        re.compile(r"(?<![0-9/])([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?![0-9/])"),
        en_us_date,
    ),
    (
        re.compile(
            rf"\b({MONTH_NAMES})\s+([0-9]{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+([0-9]{{4}})\b)?"
        ),
        en_month_day,
    ),
    (
        re.compile(
            rf"\b([0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH_NAMES})(?:,?\s+([0-9]{{4}})\b)?"
        ),
        en_day_month,
    ),
    # 9am-5pm, 9:00-17:30: the first time, "to", then the second
    (
        re.compile(rf"(?<![0-9:])({_CLOCK})\s?[-–]\s?(?={_CLOCK}(?![0-9]))"),
        lambda m: m.group(1) + " to ",
    ),
    (
        re.compile(
            r"(?<![0-9:])([01]?[0-9]|2[0-4]):([0-5][0-9])(?::([0-5][0-9]))?(?![0-9:])"
            r"(?:\s*((?i:[ap]\.m\.|[ap]m))(?![A-Za-z]))?"
        ),
        _en_time,
    ),
    (
        re.compile(r"(?<![0-9:.,])([0-9]{1,2})\s*((?i:[ap]\.m\.|[ap]m))(?![A-Za-z])"),
        _en_hour_meridiem,
    ),
    *EN_CODE_RULES,
    *EN_SYMBOL_RULES,
    (
        re.compile(
            # North American numbers. A bare 555-1234 needs an exchange code not starting with
            # 0 or 1 (as real ones do), which keeps ranges such as 100-1000 out.
            r"(?<![0-9])(?:\([0-9]{3}\)\s?[0-9]{3}-|[0-9]{3}-[0-9]{3}-|[2-9][0-9]{2}-)[0-9]{4}"
            r"(?![0-9])"
        ),
        _en_digit_groups,
    ),
    (
        re.compile(
            r"(?<![0-9A-Za-z.,-])([0-9]+(?:\.[0-9]+)?)[-–]([0-9]+(?:\.[0-9]+)?)"
            r"(?![0-9]|[.,][0-9]|-)"
        ),
        _en_range,
    ),
    (re.compile(rf"([$€£¥])({NUM})\s?[-–]\s?\1?({NUM})"), _en_money_range),
    (
        re.compile(
            rf"([-−])?([$€£¥])\s?({NUM})"
            r"(?:\s?(thousand|million|billion|trillion|bn|[kKmMB])(?![A-Za-z]))?"
        ),
        _en_currency,
    ),
    (re.compile(rf"({SIGNED})\s?%"), _en_percent),
    (
        re.compile(rf"({SIGNED})\s?({unit_alternation(EN_UNITS)})(?![A-Za-z0-9])"),
        _en_unit,
    ),
    (
        re.compile(r"(?<![0-9/.,])([0-9]+) ([0-9]{1,2})/([0-9]{1,2})(?![0-9/])"),
        _en_mixed_number,
    ),
    (re.compile(r"(?<![0-9/.,])([0-9]{1,3})/([0-9]{1,3})(?![0-9/])"), _en_fraction),
    (re.compile(r"(?<![0-9])([0-9]{1,3}(?:,[0-9]{3})*|[0-9]+)(?:st|nd|rd|th)\b"), _en_ordinal_rule),
    (re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+){2,}(?![0-9])"), _en_dotted),
    (re.compile(r"(?<![0-9.,])'?([0-9]{4}|[0-9]{2})s\b"), _en_decade),
    (
        re.compile(r"(?<![0-9])(?<![0-9][.,])(1[1-9][0-9]{2}|20[0-9]{2})(?![0-9]|[.,][0-9])"),
        _en_year_rule,
    ),
    # in 1066: years before 1100 are read as years only after "in" at the end of a clause
    (re.compile(r"(?<=[Ii]n )10(?:0[1-9]|[1-9][0-9])(?=[.,;!?]|$)"), _en_early_year),
    (re.compile(r"(?<![0-9A-Za-z])[-−](?=[0-9])"), _en_minus),
    (re.compile(NUM), _en_plain_number),
]
