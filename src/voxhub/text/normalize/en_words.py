"""English words for numbers, ordinals, years, months, money and units."""

from __future__ import annotations

import re

from voxhub.text.normalize.shared import (
    MAX_CARDINAL_DIGITS,
    MAX_YEAR,
    MIN_YEAR,
    is_valid_date,
    pad,
    split_number,
)

ONES = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS = (
    "_",
    "_",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
)
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_IRREGULAR_ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_BY_PREFIX = {month[:3].lower(): month for month in _MONTHS}
MONTH_NAMES = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"
)
# (singular, plural) of the main unit, (singular, plural) of the hundredth part or None.
EN_CURRENCIES: dict[str, tuple[tuple[str, str], tuple[str, str] | None]] = {
    "$": (("dollar", "dollars"), ("cent", "cents")),
    "€": (("euro", "euros"), ("cent", "cents")),
    "£": (("pound", "pounds"), ("penny", "pence")),
    "¥": (("yen", "yen"), None),
}
EN_SCALE_SUFFIXES = {
    "thousand": "thousand",
    "million": "million",
    "billion": "billion",
    "trillion": "trillion",
    "k": "thousand",
    "K": "thousand",
    "m": "million",
    "M": "million",
    "bn": "billion",
    "B": "billion",
}
EN_UNITS: dict[str, tuple[str, str]] = {
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"),
    "m/s": ("meter per second", "meters per second"),
    "km²": ("square kilometer", "square kilometers"),
    "m²": ("square meter", "square meters"),
    "°C": ("degree Celsius", "degrees Celsius"),
    "℃": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "℉": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"),
    "mm": ("millimeter", "millimeters"),
    "cm": ("centimeter", "centimeters"),
    "km": ("kilometer", "kilometers"),
    "m": ("meter", "meters"),
    "mi": ("mile", "miles"),
    "ft": ("foot", "feet"),
    "mg": ("milligram", "milligrams"),
    "kg": ("kilogram", "kilograms"),
    "g": ("gram", "grams"),
    "lbs": ("pound", "pounds"),
    "lb": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"),
    "L": ("liter", "liters"),
    "KB": ("kilobyte", "kilobytes"),
    "kB": ("kilobyte", "kilobytes"),
    "MB": ("megabyte", "megabytes"),
    "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"),
    "GHz": ("gigahertz", "gigahertz"),
    "MHz": ("megahertz", "megahertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "Hz": ("hertz", "hertz"),
    "kW": ("kilowatt", "kilowatts"),
    "W": ("watt", "watts"),
    "V": ("volt", "volts"),
    "mAh": ("milliamp hour", "milliamp hours"),
    "ms": ("millisecond", "milliseconds"),
    "sec": ("second", "seconds"),
    "min": ("minute", "minutes"),
    "hrs": ("hour", "hours"),
    "hr": ("hour", "hours"),
}
# Abbreviations that can end a sentence keep their period there so sentence splitting still works.
EN_TRAILING_ABBREVIATIONS = {
    "etc": "et cetera",
    "Inc": "Incorporated",
    "Ltd": "Limited",
    "Corp": "Corporation",
}
EN_TITLES = {"Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Dr": "Doctor", "Prof": "Professor"}


def en_digits(digits: str) -> str:
    return " ".join(ONES[int(char)] for char in digits)


def en_cardinal(value: int) -> str:
    """0 <= value < 10**12 in words, American style ("one hundred five")."""
    if value < 20:
        return ONES[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return _TENS[tens] + (f"-{ONES[ones]}" if ones else "")
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        return f"{ONES[hundreds]} hundred" + (f" {en_cardinal(rest)}" if rest else "")
    for scale, name in _SCALES:
        if value >= scale:
            high, rest = divmod(value, scale)
            return f"{en_cardinal(high)} {name}" + (f" {en_cardinal(rest)}" if rest else "")
    raise AssertionError("unreachable")  # pragma: no cover


def en_integer(digits: str) -> str:
    if (len(digits) > 1 and digits.startswith("0")) or len(digits) > MAX_CARDINAL_DIGITS:
        return en_digits(digits)
    return en_cardinal(int(digits))


def en_number(token: str) -> str:
    negative, integer, decimals = split_number(token)
    spoken = en_integer(integer) if integer else "zero"
    if decimals:
        spoken += " point " + en_digits(decimals)
    return ("minus " if negative else "") + spoken


def _en_ordinal_words(cardinal: str) -> str:
    cut = max(cardinal.rfind(" "), cardinal.rfind("-")) + 1
    head, last = cardinal[:cut], cardinal[cut:]
    if last in _IRREGULAR_ORDINALS:
        return head + _IRREGULAR_ORDINALS[last]
    if last.endswith("y"):
        return head + last[:-1] + "ieth"
    return head + last + "th"


def en_ordinal(digits: str) -> str:
    return _en_ordinal_words(en_integer(digits))


def en_year(value: int) -> str:
    """1100..2099 as a year: "nineteen ninety-nine", "two thousand five", "twenty twenty-four"."""
    if 2000 <= value < 2010:
        return en_cardinal(value)
    century, rest = divmod(value, 100)
    if rest == 0:
        return f"{en_cardinal(century)} hundred"
    if rest < 10:
        return f"{en_cardinal(century)} oh {ONES[rest]}"
    return f"{en_cardinal(century)} {en_cardinal(rest)}"


def en_year_or_number(digits: str) -> str:
    if len(digits) == 4 and MIN_YEAR <= int(digits) <= MAX_YEAR:
        return en_year(int(digits))
    return en_integer(digits)


def _month_name(written: str) -> str:
    """ "Sept." / "Sep" / "September" -> "September"."""
    return _MONTH_BY_PREFIX[written[:3].lower()]


def _en_date_words(month: str, day: int, year: str | None) -> str:
    spoken = f"{month} {en_ordinal(str(day))}"
    return spoken + (f", {en_year_or_number(year)}" if year else "")


def en_iso_date(match: re.Match[str]) -> str:
    year, month, day = match.group(1), int(match.group(2)), int(match.group(3))
    if not is_valid_date(month, day):
        return match.group(0)
    return pad(match, _en_date_words(_MONTHS[month - 1], day, year))


def en_us_date(match: re.Match[str]) -> str:
    month, day, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if not is_valid_date(month, day):
        return match.group(0)
    return pad(match, _en_date_words(_MONTHS[month - 1], day, year))


def en_month_day(match: re.Match[str]) -> str:
    month, day = _month_name(match.group(1)), int(match.group(2))
    if not 1 <= day <= 31:
        return match.group(0)
    return pad(match, _en_date_words(month, day, match.group(3)))


def en_day_month(match: re.Match[str]) -> str:
    day, month = int(match.group(1)), _month_name(match.group(2))
    if not 1 <= day <= 31:
        return match.group(0)
    year = match.group(3)
    spoken = f"the {en_ordinal(str(day))} of {month}"
    return pad(match, spoken + (f", {en_year_or_number(year)}" if year else ""))
