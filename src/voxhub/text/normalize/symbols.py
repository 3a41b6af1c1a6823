"""Math and symbols read as words: operators between numbers, ratios, roots, C++, @ and &."""

from __future__ import annotations

import re
from collections.abc import Callable

from voxhub.text.language import HAN_CHARACTER as _HAN
from voxhub.text.normalize.shared import Rule

# What an operator stands between: a number, a single letter (x, not a word), π, a bracket.
_TERM = r"(?:√?(?:[0-9]+(?:\.[0-9]+)?|(?<![A-Za-z])[A-Za-zπ](?![A-Za-z]))[²³]?)"
# An operand ends just before / starts just after an operator; a letter only as a variable,
# so a word is never one ("A+ grade", "word *stress*").
_BEFORE_OPERAND = r"(?:(?<=[0-9π²³)])|(?<=(?<![A-Za-z])[A-Za-z]))"
_AFTER_OPERAND = r"(?=\s*(?:[-−0-9π√(]|[A-Za-z](?![A-Za-z])))"
# An equation or inequality; only inside one is "-" a minus sign (elsewhere 3-5 is a range).
# Each side has a bounded number of terms, which keeps the search linear on long text.
_SIDE = rf"{_TERM}(?:\s*[-−+×*÷]\s*{_TERM}){{0,6}}"
_EQUATION = re.compile(rf"(?<![0-9A-Za-z.]){_SIDE}\s*[=<>≤≥≠≈]\s*[-−]?{_SIDE}")
_BINARY_MINUS = re.compile(r"(?<=[0-9A-Za-zπ²³])\s*[-−]\s*(?=[0-9A-Za-zπ√])")

# symbol: (Chinese, English)
_OPERATORS = {
    "+": ("加", "plus"),
    "×": ("乘", "times"),
    "*": ("乘", "times"),
    "÷": ("除以", "divided by"),
    "=": ("等于", "equals"),
    ">": ("大于", "greater than"),
    "<": ("小于", "less than"),
    "≥": ("大于等于", "greater than or equal to"),
    "≤": ("小于等于", "less than or equal to"),
    "≠": ("不等于", "does not equal"),
    "≈": ("约等于", "is approximately"),
}
# These read the same wherever they stand, so they need an operand after them only.
_UNAMBIGUOUS = "=≥≤≠≈"
_POWERS = {"²": ("的平方", "squared"), "³": ("的立方", "cubed")}


def _rules(english: bool) -> list[Rule]:
    # Chinese words join their neighbours; English ones are spaced (the match took the spaces).
    def say(zh: str, en: str) -> Callable[[re.Match[str]], str]:
        return lambda _: en if english else zh

    def operator(match: re.Match[str]) -> str:
        zh, en = _OPERATORS[match.group(1)]
        return f" {en} " if english else zh

    def power(match: re.Match[str]) -> str:
        zh, en = _POWERS[match.group(1)]
        return match.group(0)[:-1] + (f" {en}" if english else zh)

    def minus_in_equation(match: re.Match[str]) -> str:
        return _BINARY_MINUS.sub(say("减", " minus "), match.group(0))

    def ratio(match: re.Match[str]) -> str:
        return match.expand(r"\1 to \2" if english else r"\1比\2")

    return [
        (_EQUATION, minus_in_equation),
        (re.compile(r"(?<=[A-Za-z])\+\+"), say("加加", " plus plus")),
        (re.compile(r"(?<=\b[CF])#"), say(" sharp", " sharp")),
        (re.compile(rf"\s*([{_UNAMBIGUOUS}])\s*{_AFTER_OPERAND}"), operator),
        (re.compile(rf"{_BEFORE_OPERAND}\s*([+×*÷<>])\s*{_AFTER_OPERAND}"), operator),
        # x², 3², (a+b)²; not m² after a number, which is a unit (20 m²)
        (re.compile(r"(?:[0-9π)]|(?<![0-9A-Za-z])(?<![0-9] )[A-Za-z])([²³])"), power),
        (re.compile(r"√\s*(?=[0-9A-Za-z(])"), say("根号", "the square root of ")),
        (re.compile(r"\s*±\s*"), say("正负", " plus or minus ")),
        # 3:1 is a ratio or a score where it cannot be a time (a time has two-digit minutes).
        (re.compile(r"(?<![0-9:.])([0-9]+)\s*:\s*([0-9])(?![0-9:])"), ratio),
        # 15 / 3 with spaces is a division; 15/3 may be a fraction or a date
        (re.compile(r"(?<=[0-9])\s+/\s+(?=[0-9])"), say("除以", " divided by ")),
        # @name, not an address (a@b.com); "meet me @ the cafe"
        (re.compile(rf"(?:^|(?<=[\s(])|(?<={_HAN}))@(?=\w)"), say("艾特", "at ")),
        (re.compile(r"(?<=\s)@(?=\s)"), say("艾特", "at")),
    ]


def _zh_ampersand(match: re.Match[str]) -> str:
    """张三&李四 is 张三和李四; R&D inside Chinese text is still read the English way."""
    text = match.string
    around = text[match.start() - 1 : match.start()] + text[match.end() : match.end() + 1]
    return "和" if re.search(_HAN, around) else " and "


ZH_SYMBOL_RULES: list[Rule] = [
    *_rules(english=False),
    # 100+个国家: more than a hundred, 一百多个国家
    (re.compile(rf"(?<=[0-9])\+(?={_HAN})"), lambda _: "多"),
    (re.compile(r"\s*&\s*"), _zh_ampersand),
    # 30元/斤 is 三十元一斤; 次/分钟 is 次每分钟
    (re.compile(rf"(?<=[元块])/(?={_HAN})"), lambda _: "一"),
    (re.compile(rf"(?<={_HAN})/(?=秒|分钟|小时|天|周|月|年)"), lambda _: "每"),
]
EN_SYMBOL_RULES: list[Rule] = _rules(english=True)
