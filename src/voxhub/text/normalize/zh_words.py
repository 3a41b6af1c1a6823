"""Chinese number words: cardinals, digit strings, decimals, and 两 before measure words."""

from __future__ import annotations

from voxhub.text.normalize.shared import MAX_ZH_CARDINAL_DIGITS, split_number

_ZH_DIGITS = "零一二三四五六七八九"
_ZH_SMALL_UNITS = ("", "十", "百", "千")
# "2" reads 两 before these measure words and units (两个, 两点, 两小时, 两公斤), 二 elsewhere
# (二月, 二楼, 二号).
_ZH_LIANG_BEFORE = (
    *"个位只件条张本次台辆天周种名把双对层座点元块角毛斤杯瓶碗首场篇部家间所颗棵匹头份套",
    *"批项句页步趟节倍遍架支根枚封盒箱袋包群排行道门",
    "年",
    "分钟",
    "小时",
    "秒钟",
    "公斤",
    "千克",
    "克",
    "公里",
    "千米",
    "米",
    "厘米",
    "毫米",
    "升",
    "毫升",
    "万",
    "亿",
    "千",
)
# ...but not where the word is part of a longer one: 二年级, 二分之一.
_ZH_LIANG_EXCEPT = ("年级", "年代")


def zh_digits(digits: str) -> str:
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


def zh_integer(digits: str) -> str:
    """Cardinal reading of a digit string; leading zeros and very long strings read digit-wise."""
    if (len(digits) > 1 and digits.startswith("0")) or len(digits) > MAX_ZH_CARDINAL_DIGITS:
        return zh_digits(digits)
    value = int(digits)
    if value == 0:
        return "零"
    spoken = _zh_cardinal(value)
    # 10..19 (and 十万, 十亿) are said without the leading 一.
    if spoken.startswith("一十"):
        return spoken[1:]
    # A leading 2 before 千, 万 or 亿 is said 两: 两千, 两万, 两亿 (but 二十, 二百 stay).
    if spoken[:2] in ("二千", "二万", "二亿"):
        return "两" + spoken[1:]
    return spoken


def zh_number(token: str) -> str:
    negative, integer, decimals = split_number(token)
    spoken = zh_integer(integer) if integer else "零"
    if decimals:
        spoken += "点" + zh_digits(decimals)
    return ("负" if negative else "") + spoken


def zh_amount(token: str) -> str:
    """An amount of money: trailing zeros of the cents are not said (¥12.50 is 十二点五元)."""
    negative, integer, decimals = split_number(token)
    decimals = decimals.rstrip("0")
    return zh_number(("-" if negative else "") + integer + ("." + decimals if decimals else ""))


def zh_count(token: str, word: str) -> str:
    """A number followed by `word`: 2 is 两 before a measure word (两个, 两公斤), else a number."""
    if token == "2" and word.startswith(_ZH_LIANG_BEFORE) and not word.startswith(_ZH_LIANG_EXCEPT):
        return "两"
    return zh_number(token)
