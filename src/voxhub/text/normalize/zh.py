"""Chinese: numbers, dates, times, money, units and symbols read as Chinese words."""

from __future__ import annotations

import re

from voxhub.text.normalize.shared import (
    MAX_ZH_CARDINAL_DIGITS,
    NUM,
    PHONE_MIN_DIGITS,
    SIGNED,
    Rule,
    is_valid_date,
    split_number,
    unit_alternation,
)

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
    if (len(digits) > 1 and digits.startswith("0")) or len(digits) > MAX_ZH_CARDINAL_DIGITS:
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
    negative, integer, decimals = split_number(token)
    spoken = _zh_integer(integer) if integer else "零"
    if decimals:
        spoken += "点" + _zh_digits(decimals)
    return ("负" if negative else "") + spoken


def _zh_date(match: re.Match[str]) -> str:
    year, month, day = match.group(1, 2, 3)
    if not is_valid_date(int(month), int(day)):
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
    negative, integer, decimals = split_number(match.group(1))
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
    if token.isdigit() and len(token) >= PHONE_MIN_DIGITS:
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


ZH_RULES: list[Rule] = [
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
    (re.compile(rf"({SIGNED})\s*([%％‰])"), _zh_percent),
    (re.compile(rf"([¥￥$€£])\s*({SIGNED})"), _zh_currency),
    (re.compile(rf"({SIGNED})\s*({unit_alternation(_ZH_UNITS)})(?![A-Za-z])"), _zh_unit),
    (re.compile(r"(?<![0-9/])([0-9]{1,4})/([0-9]{1,4})(?![0-9/])"), _zh_fraction),
    (re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+){2,}(?![0-9])"), _zh_dotted),
    (re.compile(r"(?<![0-9A-Za-z])[-−](?=[0-9])"), _zh_negative),
    (re.compile(NUM), _zh_plain_number),
]
