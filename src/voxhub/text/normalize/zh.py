"""Chinese: numbers, dates, times, money, units and symbols read as Chinese words."""

from __future__ import annotations

import re

from voxhub.text.normalize.shared import (
    NUM,
    PHONE_MIN_DIGITS,
    SIGNED,
    Rule,
    is_valid_date,
    split_number,
    unit_alternation,
)
from voxhub.text.normalize.symbols import ZH_SYMBOL_RULES
from voxhub.text.normalize.zh_codes import ZH_CODE_RULES
from voxhub.text.normalize.zh_words import zh_amount, zh_count, zh_digits, zh_integer, zh_number

# hours and minutes, the hour 0..24
_TIME = r"(?:[01]?[0-9]|2[0-4])[:：][0-5][0-9]"
_ZH_CURRENCY_AFTER = "元|块|美元|欧元|英镑|日元|港元|港币"
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
    "MB/s": "兆字节每秒",
    "GB/s": "吉字节每秒",
    "KB/s": "千字节每秒",
    "Mbps": "兆比特每秒",
    "Gbps": "吉比特每秒",
    "W": "瓦",
    "V": "伏",
    "ms": "毫秒",
    "min": "分钟",
    "mph": "英里每小时",
    "lb": "磅",
    "ft": "英尺",
}


def _zh_date(match: re.Match[str]) -> str:
    year, month, day = match.group(1, 2, 3)
    if not is_valid_date(int(month), int(day)):
        return match.group(0)
    return f"{zh_digits(year)}年{zh_integer(str(int(month)))}月{zh_integer(str(int(day)))}日"


def _zh_year(match: re.Match[str]) -> str:
    return zh_digits(match.group(1)) + "年"


def _zh_time(match: re.Match[str]) -> str:
    hour, minute, second = int(match.group(1)), int(match.group(2)), match.group(3)
    spoken = ("两" if hour == 2 else zh_integer(str(hour))) + "点"
    if minute == 0 and second is None:
        return spoken + "整"
    spoken += ("零" if minute < 10 else "") + zh_integer(str(minute)) + "分"
    if second is not None:
        spoken += zh_integer(str(int(second))) + "秒"
    return spoken


def _zh_percent(match: re.Match[str]) -> str:
    negative, integer, decimals = split_number(match.group(1))
    spoken = zh_number(integer + ("." + decimals if decimals else ""))
    return ("负" if negative else "") + ("千分之" if match.group(2) == "‰" else "百分之") + spoken


def _zh_money(token: str) -> str:
    # 两元, 两美元: an amount of 2 is counted like things
    return "两" if token == "2" else zh_amount(token)


def _zh_currency(match: re.Match[str]) -> str:
    return _zh_money(match.group(2)) + _ZH_CURRENCY_PREFIX[match.group(1)]


def _zh_amount_before_currency(match: re.Match[str]) -> str:
    return _zh_money(match.group(0))


def _zh_unit(match: re.Match[str]) -> str:
    token, unit = match.group(1, 2)
    word = _ZH_UNITS[unit]
    if token[:1] in "-−" and word.endswith(("摄氏度", "华氏度")):
        # a temperature below zero is said 零下五摄氏度
        return "零下" + zh_number(token[1:]) + word
    return zh_count(token, word) + word


def _zh_fraction(match: re.Match[str]) -> str:
    numerator, denominator = match.group(1, 2)
    if int(denominator) == 0:
        return match.group(0)
    return f"{zh_integer(denominator)}分之{zh_integer(numerator)}"


def _zh_range(match: re.Match[str]) -> str:
    return f"{match.group(1)}到{match.group(2)}"


def _zh_digit_groups(match: re.Match[str]) -> str:
    return " ".join(zh_digits(group) for group in match.group(0).split("-"))


def _zh_dotted(match: re.Match[str]) -> str:
    return "点".join(zh_digits(part) for part in match.group(0).split("."))


def _zh_plain_number(match: re.Match[str]) -> str:
    token = match.group(0)
    if token.isdigit() and len(token) >= PHONE_MIN_DIGITS:
        return zh_digits(token)
    text = match.string
    # 两个 but 第二个.
    if text[match.start() - 1 : match.start()] == "第":
        return zh_number(token)
    return zh_count(token, text[match.end() : match.end() + 2])


def _zh_negative(match: re.Match[str]) -> str:
    return "负"


ZH_RULES: list[Rule] = [
    (
        re.compile(r"(?<![0-9])([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?![0-9])"),
        _zh_date,
    ),
    (re.compile(r"(?<![0-9])([0-9]{4})年"), _zh_year),
    *ZH_CODE_RULES,
    # 9:00-18:00 is 九点整到十八点整
    (re.compile(rf"(?<![0-9:])({_TIME})\s*[-~～—]\s*(?={_TIME})"), lambda m: m.group(1) + "到"),
    (
        re.compile(
            r"(?<![0-9:])([01]?[0-9]|2[0-4])[:：]([0-5][0-9])(?:[:：]([0-5][0-9]))?(?![0-9])"
        ),
        _zh_time,
    ),
    *ZH_SYMBOL_RULES,
    (
        re.compile(r"(?<![0-9A-Za-z.,-])([1-9][0-9]{0,3}|0)[-~～]([1-9][0-9]{0,3}|0)(?![0-9.-])"),
        _zh_range,
    ),
    (re.compile(r"(?<![0-9A-Za-z-])[0-9]{2,}(?:-[0-9]{2,})+(?![0-9-])"), _zh_digit_groups),
    (re.compile(rf"({SIGNED})\s*([%％‰])"), _zh_percent),
    (re.compile(rf"([¥￥$€£])\s*({SIGNED})"), _zh_currency),
    (re.compile(rf"{SIGNED}(?=\s*(?:{_ZH_CURRENCY_AFTER}))"), _zh_amount_before_currency),
    (re.compile(rf"({SIGNED})\s*({unit_alternation(_ZH_UNITS)})(?![A-Za-z])"), _zh_unit),
    (re.compile(r"(?<![0-9/])([0-9]{1,4})/([0-9]{1,4})(?![0-9/])"), _zh_fraction),
    (re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+){2,}(?![0-9])"), _zh_dotted),
    (re.compile(r"(?<![0-9A-Za-z])[-−](?=[0-9])"), _zh_negative),
    (re.compile(NUM), _zh_plain_number),
]
