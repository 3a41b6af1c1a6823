"""Sample texts of known length for benchmarks."""

from __future__ import annotations

ZH = (
    "春天的早晨，阳光洒在湖面上，微风轻轻吹过，柳树的枝条在水边摇摆。"
    "孩子们背着书包走在去学校的路上，一边走一边说笑。"
    "公园里有许多老人在打太极拳，动作缓慢而有力。"
    "卖早点的小摊前排起了长队，豆浆和油条的香味飘满了整条街道。"
    "城市慢慢醒来，公交车和地铁载着上班的人们驶向各个方向。"
    "图书馆在九点开门，学生们安静地坐在窗边读书，偶尔抬头看看窗外的天空。"
    "中午的时候，天气变得暖和起来，街边的咖啡馆坐满了聊天的客人。"
    "下午三点，一场小雨悄悄落下，行人们撑起了五颜六色的雨伞。"
    "雨停以后，天边出现了一道彩虹，大家纷纷拿出手机拍照。"
    "傍晚，夕阳把整个城市染成了金色，人们陆续回家，准备晚饭。"
    "晚上，街灯一盏盏亮了起来，城市又安静了。"
)

EN = (
    "The morning train left the station at seven, carrying commuters toward the city. "
    "Outside the window, fields of wheat rolled past under a pale blue sky. "
    "A child pressed her face against the glass and counted the cows she could see. "
    "Her father read the news, folding the paper carefully after every page. "
    "When the train slowed near the river, everyone looked up at the old bridge."
)


def sample(language: str, length: int) -> str:
    """The first `length` characters of the language's sample, ending on a full stop when close."""
    source = ZH if language == "zh" else EN
    text = source[:length]
    return text if text.strip() else source


def long_text(length: int, language: str = "en") -> str:
    """The language's sample repeated, each copy numbered, to about `length` characters."""
    source = ZH if language == "zh" else EN
    parts: list[str] = []
    while sum(map(len, parts)) < length:
        parts.append(f"{len(parts) + 1}. {source}")
    return " ".join(parts)


def mixed_text(length: int) -> str:
    """Chinese and English paragraphs alternating, cut to `length` characters."""
    parts: list[str] = []
    while sum(map(len, parts)) < length:
        parts += [ZH, " ", EN, " "]
    return "".join(parts)[:length].strip()
