"""Chinese: phone numbers, codes and model numbers, which are read digit by digit."""

from __future__ import annotations

import re

from voxhub.text.normalize.shared import Rule
from voxhub.text.normalize.zh_words import zh_digits

# Words after which a number is a phone number or a code, never an amount: 拨打110, 验证码6688.
_KEYWORDS = (
    "电话",
    "热线",
    "号码",
    "手机号",
    "手机",
    "拨打",
    "致电",
    "呼叫",
    "验证码",
    "邮政编码",
    "邮编",
    "学号",
    "工号",
    "编号",
    "单号",
    "房间号",
    "房号",
    "门牌号",
    "尾号",
    "账号",
    "卡号",
    "密码",
    "代码",
    "ID",
    "QQ",
)
_KEYWORD = "|".join(sorted(_KEYWORDS, key=len, reverse=True))
# Digits in groups (123 456 789, 400-820-8820), at least three in all.
_DIGIT_GROUPS = r"[0-9](?:[0-9]|[ -](?=[0-9])){2,}"


def _groups(text: str) -> str:
    return " ".join(zh_digits(group) for group in re.split(r"[ -]", text) if group)


def _international(match: re.Match[str]) -> str:
    return "加" + _groups(match.group(1))


def _after_keyword(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2) + _groups(match.group(3))


def _digits(match: re.Match[str]) -> str:
    return _groups(match.group(0))


ZH_CODE_RULES: list[Rule] = [
    # +86 139 1234 5678
    (
        re.compile(r"(?<![0-9A-Za-z])\+([0-9]{1,3}(?:[ -][0-9]{2,5}){2,})(?![0-9])"),
        _international,
    ),
    (
        re.compile(rf"(?<![A-Za-z])({_KEYWORD})((?:是|为|：|:)?\s*)({_DIGIT_GROUPS})(?![0-9.])"),
        _after_keyword,
    ),
    # 打10086咨询, but 打100分 is a score
    (re.compile(r"(?<=打)[0-9]{3,}(?![0-9.]|[分次个下折遍场局杆拳针])"), _digits),
    # 302房间, 1201室
    (re.compile(r"(?<![0-9.])[0-9]{3,}(?=房间|号房|室)"), _digits),
    # Model and train numbers after capital letters: RTX 4090, A380, G1234, 京A12345.
    (re.compile(r"(?<=[A-Z])\s?[0-9]{3,}(?![0-9]|[.,][0-9])"), lambda m: _groups(m.group(0))),
    # 2024赛季, 2023财年: a year said digit by digit as with 年
    (re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?=赛季|财年|年度|届|款)"), _digits),
    # 90后, 00后: the generation born in that decade
    (re.compile(r"(?<![0-9])[0-9]0(?=后)"), _digits),
]
