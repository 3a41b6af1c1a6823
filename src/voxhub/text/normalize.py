"""Rewrite written forms (numbers, dates, times, money, units, symbols) as words for TTS."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

# Full-width digits are common in Chinese text; every rule below works on ASCII digits only
# (`\d` would also match other scripts' digits, which the converters cannot read).
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# A number: 1,234,567 (groups of three) or 1234567, with an optional decimal part.
_NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
# A leading minus only when it cannot be a hyphen or a subtraction between two words/numbers.
# The number must start a digit run: besides being right, this keeps long digit strings linear.
_SIGNED = rf"(?:(?<![0-9A-Za-z])[-−])?(?<![0-9]){_NUM}"
# Longer strings (phone numbers, ids) are read digit by digit; this also keeps int() far below
# Python's 4300-digit conversion limit.
_MAX_CARDINAL_DIGITS = 12
_MAX_ZH_CARDINAL_DIGITS = 16
_PHONE_MIN_DIGITS = 7
_MIN_YEAR, _MAX_YEAR = 1100, 2099


def normalize(text: str, language: str) -> str:
    """Rewrite `text` for speech in `language` ("zh" or "en"); other languages pass through."""
    if language == "zh":
        return _apply(_ZH_RULES, text.translate(_FULLWIDTH_DIGITS))
    if language == "en":
        return _apply(_EN_RULES, text.translate(_FULLWIDTH_DIGITS))
    return text


def _apply(rules: list[Rule], text: str) -> str:
    for pattern, replace in rules:
        text = pattern.sub(replace, text)
    return text


def _split_number(token: str) -> tuple[bool, str, str]:
    """'-1,234.50' -> (negative, '1234', '50')."""
    negative = token[:1] in "-−" and len(token) > 1
    body = token[1:] if negative else token
    integer, _, decimals = body.replace(",", "").partition(".")
    return negative, integer, decimals


def _is_valid_date(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


# --------------------------------------------------------------------------------------------
# Chinese
# --------------------------------------------------------------------------------------------

_ZH_DIGITS = "零一二三四五六七八九"
_ZH_SMALL_UNITS = ("", "十", "百", "千")
# "2" reads 两 before these measure words (两个, 两点), 二 elsewhere.
_ZH_LIANG_BEFORE = frozenset("个位只件条张本次台辆天年岁周种名把双对层座点")

_ZH_CURRENCY_PREFIX = {"¥": "元", "￥": "元", "$": "美元", "€": "欧元", "£": "英镑"}
_ZH_UNITS = {
    "km/h": "公里每小时",
    "m/s": "米每秒",
    "km²": "平方公里",
    "m²": "平方米",
    "㎡": "平方米",
    "m³": "立方米",
    "°C": "摄氏度",
    "℃": "摄氏度",
    "°F": "华氏度",
    "℉": "华氏度",
    "°": "度",
    "mAh": "毫安时",
    "kg": "千克",
    "mg": "毫克",
    "g": "克",
    "km": "公里",
    "cm": "厘米",
    "mm": "毫米",
    "m": "米",
    "ml": "毫升",
    "mL": "毫升",
    "L": "升",
    "KB": "千字节",
    "kB": "千字节",
    "MB": "兆字节",
    "GB": "吉字节",
    "TB": "太字节",
    "GHz": "吉赫兹",
    "MHz": "兆赫兹",
    "kHz": "千赫兹",
    "Hz": "赫兹",
    "kW": "千瓦",
    "W": "瓦",
    "V": "伏",
    "ms": "毫秒",
    "min": "分钟",
    "mph": "英里每小时",
    "lb": "磅",
    "ft": "英尺",
}


def _zh_digits(digits: str) -> str:
    return "".join(_ZH_DIGITS[int(char)] for char in digits)


def _zh_section(value: int) -> str:
    """1..9999 -> 一千零一 etc."""
    out: list[str] = []
    zero_pending = False
    for power in (3, 2, 1, 0):
        digit = value // 10**power % 10
        if digit == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_ZH_DIGITS[digit] + _ZH_SMALL_UNITS[power])
    return "".join(out)


def _zh_integer(digits: str) -> str:
    """Cardinal reading of a digit string; leading zeros and very long strings read digit-wise."""
    if (len(digits) > 1 and digits.startswith("0")) or len(digits) > _MAX_ZH_CARDINAL_DIGITS:
        return _zh_digits(digits)
    value = int(digits)
    if value == 0:
        return "零"
    spoken = _zh_cardinal(value)
    # 10..19 (and 十万, 十亿) are said without the leading 一.
    return spoken[1:] if spoken.startswith("一十") else spoken


def _zh_cardinal(value: int) -> str:
    """value > 0; 亿 and 万 split the number, so 10**12 is 一万亿 and 10**9 + 1 is 十亿零一."""
    for size, unit in ((10**8, "亿"), (10**4, "万")):
        if value >= size:
            high, rest = divmod(value, size)
            spoken = _zh_cardinal(high) + unit
            if rest:
                # A gap inside the lower part is read as 零: 一亿零一千.
                spoken += ("零" if rest < size // 10 else "") + _zh_cardinal(rest)
            return spoken
    return _zh_section(value)


def _zh_number(token: str) -> str:
    negative, integer, decimals = _split_number(token)
    spoken = _zh_integer(integer) if integer else "零"
    if decimals:
        spoken += "点" + _zh_digits(decimals)
    return ("负" if negative else "") + spoken


def _zh_date(match: re.Match[str]) -> str:
    year, month, day = match.group(1, 2, 3)
    if not _is_valid_date(int(month), int(day)):
        return match.group(0)
    return f"{_zh_digits(year)}年{_zh_integer(str(int(month)))}月{_zh_integer(str(int(day)))}日"


def _zh_year(match: re.Match[str]) -> str:
    return _zh_digits(match.group(1)) + "年"


def _zh_time(match: re.Match[str]) -> str:
    hour, minute, second = int(match.group(1)), int(match.group(2)), match.group(3)
    spoken = ("两" if hour == 2 else _zh_integer(str(hour))) + "点"
    if minute == 0 and second is None:
        return spoken + "整"
    spoken += ("零" if minute < 10 else "") + _zh_integer(str(minute)) + "分"
    if second is not None:
        spoken += _zh_integer(str(int(second))) + "秒"
    return spoken


def _zh_percent(match: re.Match[str]) -> str:
    negative, integer, decimals = _split_number(match.group(1))
    spoken = _zh_number(integer + ("." + decimals if decimals else ""))
    return ("负" if negative else "") + ("千分之" if match.group(2) == "‰" else "百分之") + spoken


def _zh_currency(match: re.Match[str]) -> str:
    return _zh_number(match.group(2)) + _ZH_CURRENCY_PREFIX[match.group(1)]


def _zh_unit(match: re.Match[str]) -> str:
    return _zh_number(match.group(1)) + _ZH_UNITS[match.group(2)]


def _zh_fraction(match: re.Match[str]) -> str:
    numerator, denominator = match.group(1, 2)
    if int(denominator) == 0:
        return match.group(0)
    return f"{_zh_integer(denominator)}分之{_zh_integer(numerator)}"


def _zh_range(match: re.Match[str]) -> str:
    return f"{match.group(1)}到{match.group(2)}"


def _zh_digit_groups(match: re.Match[str]) -> str:
    return " ".join(_zh_digits(group) for group in match.group(0).split("-"))


def _zh_dotted(match: re.Match[str]) -> str:
    return "点".join(_zh_digits(part) for part in match.group(0).split("."))


def _zh_plain_number(match: re.Match[str]) -> str:
    token = match.group(0)
    if token.isdigit() and len(token) >= _PHONE_MIN_DIGITS:
        return _zh_digits(token)
    text = match.string
    after = text[match.end() : match.end() + 1]
    # 两个 but 第二个.
    if (
        token == "2"
        and after
        and after in _ZH_LIANG_BEFORE
        and text[match.start() - 1 : match.start()] != "第"
    ):
        return "两"
    return _zh_number(token)


def _zh_negative(match: re.Match[str]) -> str:
    return "负"


def _unit_alternation(units: Iterable[str]) -> str:
    # Longest first so "km" wins over "m" and "mAh" over "m".
    return "|".join(re.escape(unit) for unit in sorted(units, key=len, reverse=True))


_ZH_RULES: list[Rule] = [
    (
        re.compile(r"(?<![0-9])([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?![0-9])"),
        _zh_date,
    ),
    (re.compile(r"(?<![0-9])([0-9]{4})年"), _zh_year),
    (
        re.compile(
            r"(?<![0-9:])([01]?[0-9]|2[0-4])[:：]([0-5][0-9])(?:[:：]([0-5][0-9]))?(?![0-9])"
        ),
        _zh_time,
    ),
    (
        re.compile(r"(?<![0-9A-Za-z.,-])([1-9][0-9]{0,3}|0)[-~～]([1-9][0-9]{0,3}|0)(?![0-9.-])"),
        _zh_range,
    ),
    (re.compile(r"(?<![0-9A-Za-z-])[0-9]{2,}(?:-[0-9]{2,})+(?![0-9-])"), _zh_digit_groups),
    (re.compile(rf"({_SIGNED})\s*([%％‰])"), _zh_percent),
    (re.compile(rf"([¥￥$€£])\s*({_SIGNED})"), _zh_currency),
    (re.compile(rf"({_SIGNED})\s*({_unit_alternation(_ZH_UNITS)})(?![A-Za-z])"), _zh_unit),
    (re.compile(r"(?<![0-9/])([0-9]{1,4})/([0-9]{1,4})(?![0-9/])"), _zh_fraction),
    (re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+){2,}(?![0-9])"), _zh_dotted),
    (re.compile(r"(?<![0-9A-Za-z])[-−](?=[0-9])"), _zh_negative),
    (re.compile(_NUM), _zh_plain_number),
]


# --------------------------------------------------------------------------------------------
# English
# --------------------------------------------------------------------------------------------

_ONES = (
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
_MONTH_NAMES = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"
)
# (singular, plural) of the main unit, (singular, plural) of the hundredth part or None.
_EN_CURRENCIES: dict[str, tuple[tuple[str, str], tuple[str, str] | None]] = {
    "$": (("dollar", "dollars"), ("cent", "cents")),
    "€": (("euro", "euros"), ("cent", "cents")),
    "£": (("pound", "pounds"), ("penny", "pence")),
    "¥": (("yen", "yen"), None),
}
_EN_SCALE_SUFFIXES = {
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
_EN_UNITS: dict[str, tuple[str, str]] = {
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
_EN_TRAILING_ABBREVIATIONS = {
    "etc": "et cetera",
    "Inc": "Incorporated",
    "Ltd": "Limited",
    "Corp": "Corporation",
}
_EN_TITLES = {"Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Dr": "Doctor", "Prof": "Professor"}


def _pad(match: re.Match[str], spoken: str) -> str:
    """Keep words apart when a replacement touches letters or digits ("MP3" -> "MP three")."""
    text = match.string
    if match.start() > 0 and text[match.start() - 1].isalnum():
        spoken = " " + spoken
    if match.end() < len(text) and text[match.end()].isalnum():
        spoken += " "
    return spoken


def _en_digits(digits: str) -> str:
    return " ".join(_ONES[int(char)] for char in digits)


def _en_cardinal(value: int) -> str:
    """0 <= value < 10**12 in words, American style ("one hundred five")."""
    if value < 20:
        return _ONES[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {_en_cardinal(rest)}" if rest else "")
    for scale, name in _SCALES:
        if value >= scale:
            high, rest = divmod(value, scale)
            return f"{_en_cardinal(high)} {name}" + (f" {_en_cardinal(rest)}" if rest else "")
    raise AssertionError("unreachable")  # pragma: no cover


def _en_integer(digits: str) -> str:
    if (len(digits) > 1 and digits.startswith("0")) or len(digits) > _MAX_CARDINAL_DIGITS:
        return _en_digits(digits)
    return _en_cardinal(int(digits))


def _en_number(token: str) -> str:
    negative, integer, decimals = _split_number(token)
    spoken = _en_integer(integer) if integer else "zero"
    if decimals:
        spoken += " point " + _en_digits(decimals)
    return ("minus " if negative else "") + spoken


def _en_ordinal_words(cardinal: str) -> str:
    cut = max(cardinal.rfind(" "), cardinal.rfind("-")) + 1
    head, last = cardinal[:cut], cardinal[cut:]
    if last in _IRREGULAR_ORDINALS:
        return head + _IRREGULAR_ORDINALS[last]
    if last.endswith("y"):
        return head + last[:-1] + "ieth"
    return head + last + "th"


def _en_ordinal(digits: str) -> str:
    return _en_ordinal_words(_en_integer(digits))


def _en_year(value: int) -> str:
    """1100..2099 as a year: "nineteen ninety-nine", "two thousand five", "twenty twenty-four"."""
    if 2000 <= value < 2010:
        return _en_cardinal(value)
    century, rest = divmod(value, 100)
    if rest == 0:
        return f"{_en_cardinal(century)} hundred"
    if rest < 10:
        return f"{_en_cardinal(century)} oh {_ONES[rest]}"
    return f"{_en_cardinal(century)} {_en_cardinal(rest)}"


def _en_year_or_number(digits: str) -> str:
    if len(digits) == 4 and _MIN_YEAR <= int(digits) <= _MAX_YEAR:
        return _en_year(int(digits))
    return _en_integer(digits)


def _month_name(written: str) -> str:
    """ "Sept." / "Sep" / "September" -> "September"."""
    return _MONTH_BY_PREFIX[written[:3].lower()]


def _en_date_words(month: str, day: int, year: str | None) -> str:
    spoken = f"{month} {_en_ordinal(str(day))}"
    return spoken + (f", {_en_year_or_number(year)}" if year else "")


def _en_iso_date(match: re.Match[str]) -> str:
    year, month, day = match.group(1), int(match.group(2)), int(match.group(3))
    if not _is_valid_date(month, day):
        return match.group(0)
    return _pad(match, _en_date_words(_MONTHS[month - 1], day, year))


def _en_us_date(match: re.Match[str]) -> str:
    month, day, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if not _is_valid_date(month, day):
        return match.group(0)
    return _pad(match, _en_date_words(_MONTHS[month - 1], day, year))


def _en_month_day(match: re.Match[str]) -> str:
    month, day = _month_name(match.group(1)), int(match.group(2))
    if not 1 <= day <= 31:
        return match.group(0)
    return _pad(match, _en_date_words(month, day, match.group(3)))


def _en_day_month(match: re.Match[str]) -> str:
    day, month = int(match.group(1)), _month_name(match.group(2))
    if not 1 <= day <= 31:
        return match.group(0)
    year = match.group(3)
    spoken = f"the {_en_ordinal(str(day))} of {month}"
    return _pad(match, spoken + (f", {_en_year_or_number(year)}" if year else ""))


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
    spoken = _en_cardinal(hour)
    if minute == 0 and second is None:
        if not meridiem:
            spoken += " o'clock" if hour <= 12 else " hundred"
    elif minute < 10:
        spoken += f" oh {_ONES[minute]}"
    else:
        spoken += f" {_en_cardinal(minute)}"
    if second is not None:
        spoken += f" and {_en_cardinal(int(second))} seconds"
    return _pad(match, spoken + meridiem)


def _en_hour_meridiem(match: re.Match[str]) -> str:
    hour = int(match.group(1))
    if not 1 <= hour <= 12:
        return match.group(0)
    return _pad(match, _en_cardinal(hour) + _en_meridiem(match.group(2), match))


def _en_money_amount(
    integer: str, decimals: str, names: tuple[tuple[str, str], tuple[str, str] | None]
) -> str:
    (unit, units), cents = names
    if cents is not None and len(decimals) == 2 and len(integer) <= _MAX_CARDINAL_DIGITS:
        main, sub = int(integer or "0"), int(decimals)
        parts = [f"{_en_cardinal(main)} {unit if main == 1 else units}"] if main or not sub else []
        if sub:
            parts.append(f"{_en_cardinal(sub)} {cents[0] if sub == 1 else cents[1]}")
        return " and ".join(parts)
    amount = _en_number(integer + ("." + decimals if decimals else ""))
    return f"{amount} {unit if integer == '1' and not decimals else units}"


def _en_currency(match: re.Match[str]) -> str:
    sign, symbol, token, scale = match.group(1, 2, 3, 4)
    names = _EN_CURRENCIES[symbol]
    _, integer, decimals = _split_number(token)
    if scale:
        spoken = f"{_en_number(token)} {_EN_SCALE_SUFFIXES[scale]} {names[0][1]}"
    else:
        spoken = _en_money_amount(integer, decimals, names)
    return _pad(match, ("minus " if sign else "") + spoken)


def _en_percent(match: re.Match[str]) -> str:
    return _pad(match, f"{_en_number(match.group(1))} percent")


def _en_unit(match: re.Match[str]) -> str:
    token, unit = match.group(1), match.group(2)
    singular, plural = _EN_UNITS[unit]
    is_one = token.lstrip("-−") == "1"
    return _pad(match, f"{_en_number(token)} {singular if is_one else plural}")


def _en_fraction(match: re.Match[str]) -> str:
    numerator, denominator = int(match.group(1)), int(match.group(2))
    if denominator < 2:
        return match.group(0)
    if (numerator, denominator) == (24, 7):
        return _pad(match, "twenty-four seven")
    if denominator == 2:
        name = "half" if numerator == 1 else "halves"
    elif denominator == 4:
        name = "quarter" if numerator == 1 else "quarters"
    else:
        ordinal = _en_ordinal(str(denominator))
        name = ordinal if numerator == 1 else ordinal + "s"
    return _pad(match, f"{_en_cardinal(numerator)} {name}")


def _en_ordinal_rule(match: re.Match[str]) -> str:
    return _pad(match, _en_ordinal(match.group(1).replace(",", "")))


def _en_range(match: re.Match[str]) -> str:
    return f"{match.group(1)} to {match.group(2)}"


def _en_digit_groups(match: re.Match[str]) -> str:
    groups = re.findall(r"[0-9]+", match.group(0))
    return _pad(match, ", ".join(_en_digits(group) for group in groups))


def _en_dotted(match: re.Match[str]) -> str:
    return _pad(match, " dot ".join(_en_integer(part) for part in match.group(0).split(".")))


def _en_decade(match: re.Match[str]) -> str:
    """1990s / '90s / 80s -> nineteen nineties / nineties / eighties."""
    digits = match.group(1)
    if not digits.endswith("0"):
        return match.group(0)
    words = _en_year_or_number(digits)
    plural = words[:-1] + "ies" if words.endswith("y") else words + "s"
    return _pad(match, plural)


def _en_year_rule(match: re.Match[str]) -> str:
    return _pad(match, _en_year(int(match.group(1))))


def _en_plain_number(match: re.Match[str]) -> str:
    return _pad(match, _en_number(match.group(0)))


def _en_minus(match: re.Match[str]) -> str:
    return "minus "


def _en_ampersand(match: re.Match[str]) -> str:
    text = match.string
    left = " " if match.start() > 0 and not text[match.start() - 1].isspace() else ""
    right = " " if match.end() < len(text) and not text[match.end()].isspace() else ""
    return f"{left}and{right}"


def _en_title(match: re.Match[str]) -> str:
    return _EN_TITLES[match.group(1)]


def _en_trailing_abbreviation(match: re.Match[str]) -> str:
    text = match.string
    at_end = match.end() == len(text) or text[match.end()] in "\n\r"
    return _EN_TRAILING_ABBREVIATIONS[match.group(1)] + ("." if at_end else "")


def _en_suffix_title(match: re.Match[str]) -> str:
    text = match.string
    at_end = match.end() == len(text) or text[match.end()] in "\n\r"
    word = "Junior" if match.group(2) == "Jr" else "Senior"
    return match.group(1) + word + ("." if at_end else "")


_EN_RULES: list[Rule] = [
    (re.compile(r"&"), _en_ampersand),
    (re.compile(r"\b(Mr|Mrs|Ms)\.(?=\s)"), _en_title),
    (re.compile(r"\b(Dr|Prof)\.(?=\s+[A-Z])"), _en_title),
    (re.compile(r"\b(etc|Inc|Ltd|Corp)\."), _en_trailing_abbreviation),
    (re.compile(r"\b([A-Z][a-z]+,?\s+)(Jr|Sr)\."), _en_suffix_title),
    (re.compile(r"\bvs\.(?=\s)"), lambda _: "versus"),
    (re.compile(r"\be\.g\.(?=[\s,])"), lambda _: "for example"),
    (re.compile(r"\bi\.e\.(?=[\s,])"), lambda _: "that is"),
    (re.compile(r"\bNo\.\s*(?=[0-9])"), lambda _: "number "),
    (re.compile(r"#(?=[0-9])"), lambda m: _pad(m, "number")),
    (
        re.compile(r"(?<![0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])"),
        _en_iso_date,
    ),
    (
        re.compile(r"(?<![0-9/])([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?![0-9/])"),
        _en_us_date,
    ),
    (
        re.compile(
            rf"\b({_MONTH_NAMES})\s+([0-9]{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+([0-9]{{4}})\b)?"
        ),
        _en_month_day,
    ),
    (
        re.compile(
            rf"\b([0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_NAMES})(?:,?\s+([0-9]{{4}})\b)?"
        ),
        _en_day_month,
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
            r"(?<![0-9A-Za-z.,-])([0-9]+(?:\.[0-9]+)?)[-–]([0-9]+(?:\.[0-9]+)?)(?![0-9.,-])"
        ),
        _en_range,
    ),
    (
        re.compile(
            rf"([-−])?([$€£¥])\s?({_NUM})"
            r"(?:\s?(thousand|million|billion|trillion|bn|[kKmMB])(?![A-Za-z]))?"
        ),
        _en_currency,
    ),
    (re.compile(rf"({_SIGNED})\s?%"), _en_percent),
    (
        re.compile(rf"({_SIGNED})\s?({_unit_alternation(_EN_UNITS)})(?![A-Za-z0-9])"),
        _en_unit,
    ),
    (re.compile(r"(?<![0-9/.,])([0-9]{1,3})/([0-9]{1,3})(?![0-9/])"), _en_fraction),
    (re.compile(r"(?<![0-9])([0-9]{1,3}(?:,[0-9]{3})*|[0-9]+)(?:st|nd|rd|th)\b"), _en_ordinal_rule),
    (re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+){2,}(?![0-9])"), _en_dotted),
    (re.compile(r"(?<![0-9.,])'?([0-9]{4}|[0-9]{2})s\b"), _en_decade),
    (
        re.compile(r"(?<![0-9])(?<![0-9][.,])(1[1-9][0-9]{2}|20[0-9]{2})(?![0-9]|[.,][0-9])"),
        _en_year_rule,
    ),
    (re.compile(r"(?<![0-9A-Za-z])[-−](?=[0-9])"), _en_minus),
    (re.compile(_NUM), _en_plain_number),
]
