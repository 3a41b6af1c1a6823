"""Language tags and zh/en detection."""

from __future__ import annotations

import pytest

from voxhub.errors import UnsupportedLanguage
from voxhub.text.language import SUPPORTED_LANGUAGES, detect_language, normalize_language_tag


def test_supported_languages() -> None:
    assert SUPPORTED_LANGUAGES == ("zh", "en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天天气很好。", "zh"),
        ("我用Python写代码", "zh"),
        ("I visited 北京 last year", "zh"),
        ("Hello, world!", "en"),
        ("12345 678", "en"),
        ("", "en"),
        ("   ", "en"),
        ("The word for thanks is 谢 in Chinese, as every student of the language learns", "en"),
        ("Café au lait", "en"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("zh_cn", "zh"),
        ("ZH-Hans", "zh"),
        ("cmn", "zh"),
        ("Chinese", "zh"),
        ("mandarin", "zh"),
        ("  zh  ", "zh"),
        ("en", "en"),
        ("en-US", "en"),
        ("en-gb", "en"),
        ("EN_au", "en"),
        ("English", "en"),
    ],
)
def test_normalize_language_tag(tag: str, expected: str) -> None:
    assert normalize_language_tag(tag) == expected


@pytest.mark.parametrize("tag", ["fr", "ja-JP", "klingon", "", "   ", "zhx"])
def test_unknown_tag_names_tag_and_supported_languages(tag: str) -> None:
    with pytest.raises(UnsupportedLanguage) as caught:
        normalize_language_tag(tag)
    message = caught.value.message
    assert repr(tag.strip()) in message
    assert "zh" in message and "en" in message
    assert caught.value.code == "unsupported_language"
