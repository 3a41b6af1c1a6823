"""Building subtitle cues from sentence and word timings."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxhub.subtitles.cues import Cue, CueRules, build_cues
from voxhub.text.chunking import chunk_text
from voxhub.text.sentences import split_sentences
from voxhub.timing import SentenceTiming, WordTiming

RULES = CueRules()

LONG_EN = (
    "The committee reviewed every proposal in detail, compared the costs with last year's "
    "budget, and finally agreed to fund the three projects that promised the largest benefit "
    "for the town."
)
LONG_ZH = (
    "今天天气很好，我们一起去公园散步吧。"
    "然后我们去吃饭，吃完饭以后再去看电影，电影结束以后回家睡觉。"
)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def words_evenly(text: str, start: float, end: float) -> tuple[WordTiming, ...]:
    parts = text.split()
    step = (end - start) / len(parts)
    return tuple(
        WordTiming(w, start + i * step, start + (i + 0.9) * step) for i, w in enumerate(parts)
    )


def assert_well_formed(cues: list[Cue], rules: CueRules, width: int) -> None:
    assert [c.index for c in cues] == list(range(1, len(cues) + 1))
    for cue in cues:
        assert cue.end > cue.start
        lines = cue.text.split("\n")
        assert len(lines) <= rules.max_lines
        assert all(line.strip() for line in lines)
        assert all(len(line) <= width or " " not in line for line in lines)
    for before, after in itertools.pairwise(cues):
        assert before.end <= after.start


def test_cue_rules_keep_their_field_order_and_reject_nonsense() -> None:
    assert CueRules(3, 16, 30) == CueRules(
        max_lines=3, cjk_chars_per_line=16, latin_chars_per_line=30
    )
    with pytest.raises(ValueError, match="max_lines"):
        CueRules(max_lines=0)


def test_empty_input_gives_no_cues() -> None:
    assert build_cues([], RULES) == []


def test_a_short_sentence_is_one_cue_with_its_own_times() -> None:
    cues = build_cues([SentenceTiming("Hello there.", 0.25, 1.5)], RULES)
    assert cues == [Cue(1, 0.25, 1.5, "Hello there.")]


def test_a_sentence_that_fits_two_lines_is_wrapped_not_split() -> None:
    text = "This sentence is a little too long for a single subtitle line."
    cues = build_cues([SentenceTiming(text, 0.0, 3.0)], RULES)
    assert len(cues) == 1
    first, second = cues[0].text.split("\n")
    assert f"{first} {second}" == text
    assert max(len(first), len(second)) <= 42


def test_long_latin_sentence_splits_into_fitting_cues_preferring_a_comma() -> None:
    cues = build_cues([SentenceTiming(LONG_EN, 0.0, 12.0)], RULES)
    assert len(cues) == 3
    assert_well_formed(cues, RULES, 42)
    assert squeeze("".join(c.text for c in cues)) == squeeze(LONG_EN)
    assert cues[0].text == "The committee reviewed\nevery proposal in detail,"
    assert (cues[0].start, cues[-1].end) == (0.0, 12.0)


def test_long_chinese_sentence_splits_after_punctuation() -> None:
    cues = build_cues([SentenceTiming(LONG_ZH, 0.0, 10.0)], RULES)
    assert_well_formed(cues, RULES, 20)
    assert len(cues) == 2
    assert cues[0].text == "今天天气很好，我们一起去公园散步吧。"
    assert cues[1].text == "然后我们去吃饭，吃完饭以后再去看电影，\n电影结束以后回家睡觉。"
    # timed by characters: the first cue holds 18 of 48 characters
    assert cues[0].end == pytest.approx(10.0 * 18 / 48)


def test_chinese_lines_respect_a_narrow_width_and_keep_latin_words_whole() -> None:
    rules = CueRules(max_lines=1, cjk_chars_per_line=6)
    text = "我们使用Python和numpy处理音频数据，然后输出字幕文件。"
    cues = build_cues([SentenceTiming(text, 0.0, 8.0)], rules)
    assert_well_formed(cues, rules, 6)
    assert squeeze("".join(c.text for c in cues)) == text
    assert any(c.text.startswith("Python") or c.text.endswith("Python") for c in cues)
    assert not any(c.text.startswith(("，", "。")) for c in cues)


def test_piece_boundaries_follow_the_words_not_a_linear_split() -> None:
    text = "alpha bravo charlie delta"
    words = (
        WordTiming("alpha", 0.0, 4.0),
        WordTiming("bravo", 4.0, 8.0),
        WordTiming("charlie", 8.2, 9.0),
        WordTiming("delta", 9.0, 10.0),
    )
    rules = CueRules(max_lines=1, latin_chars_per_line=12)
    cues = build_cues([SentenceTiming(text, 0.0, 10.0, words)], rules)
    assert [c.text for c in cues] == ["alpha bravo", "charlie", "delta"]
    # linear by characters would put the first boundary at 4.5 s; the words say 8.0-8.2 s
    assert 8.0 <= cues[0].end <= 8.2
    assert 9.0 <= cues[1].end <= 9.05


def test_spoken_words_differing_from_display_text_are_matched_by_fraction() -> None:
    text = "Sales rose 50% in 2023, then fell sharply."
    spoken = "Sales rose fifty percent in twenty twenty-three, then fell sharply."
    sentence = SentenceTiming(text, 1.0, 6.0, words_evenly(spoken, 1.0, 6.0))
    cues = build_cues([sentence], CueRules(max_lines=1, latin_chars_per_line=24))
    assert_well_formed(cues, CueRules(max_lines=1, latin_chars_per_line=24), 24)
    assert squeeze("".join(c.text for c in cues)) == squeeze(text)
    assert cues[0].start == 1.0 and cues[-1].end == 6.0


def test_silent_sentences_join_a_neighbour() -> None:
    sentences = [
        SentenceTiming("(pause)", 0.0, 0.0),
        SentenceTiming("First one.", 0.0, 1.0),
        SentenceTiming("Unspoken.", 1.0, 1.0),
        SentenceTiming("Second one.", 1.5, 2.5),
    ]
    cues = build_cues(sentences, RULES)
    assert cues == [
        Cue(1, 0.0, 1.0, "(pause) First one. Unspoken."),
        Cue(2, 1.5, 2.5, "Second one."),
    ]


def test_silent_chinese_sentence_joins_without_a_space() -> None:
    sentences = [SentenceTiming("你好。", 0.0, 1.0), SentenceTiming("再见。", 1.0, 1.0)]
    assert build_cues(sentences, RULES)[0].text == "你好。再见。"


def test_nothing_with_duration_gives_no_cues() -> None:
    assert build_cues([SentenceTiming("Hi.", 2.0, 2.0)], RULES) == []


def test_last_cue_ends_at_the_last_sentence_even_after_blank_text() -> None:
    sentences = [SentenceTiming("Done.", 0.0, 1.0), SentenceTiming("  ", 1.0, 1.8)]
    assert build_cues(sentences, RULES) == [Cue(1, 0.0, 1.8, "Done.")]


def test_overlapping_sentences_do_not_make_overlapping_cues() -> None:
    sentences = [SentenceTiming("One.", 0.0, 2.0), SentenceTiming("Two.", 1.5, 3.0)]
    cues = build_cues(sentences, RULES)
    assert cues == [Cue(1, 0.0, 2.0, "One."), Cue(2, 2.0, 3.0, "Two.")]


def test_a_single_word_longer_than_a_line_gets_its_own_line() -> None:
    word = "Donaudampfschifffahrtsgesellschaftskapitänsmütze"
    rules = CueRules(max_lines=1, latin_chars_per_line=20)
    cues = build_cues([SentenceTiming(f"A {word} here.", 0.0, 3.0)], rules)
    assert [c.text for c in cues] == ["A", word, "here."]
    assert_well_formed(cues, rules, 20)


# ---------------------------------------------------------------------------------------
# Property test

LATIN_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=14)
LATIN_TEXT = st.lists(
    st.tuples(LATIN_WORDS, st.sampled_from(["", "", ",", ".", "!", "?", ";"])),
    min_size=0,
    max_size=40,
).map(lambda parts: " ".join(w + p for w, p in parts))
CJK_TEXT = st.text(
    alphabet="我们今天天气很好公园散步吃饭电影回家睡觉中文字幕测试，。！？、（）“”", max_size=90
)


@st.composite
def sentence_lists(draw: st.DrawFn) -> tuple[list[SentenceTiming], bool]:
    cjk = draw(st.booleans())
    count = draw(st.integers(0, 6))
    sentences, cursor = [], draw(st.integers(0, 2000))
    for _ in range(count):
        text = draw(CJK_TEXT if cjk else LATIN_TEXT)
        start = cursor + draw(st.integers(0, 1000))
        end = start + draw(st.sampled_from([0, 0, 1, 5, 120, 900, 4000, 20000]))
        words: tuple[WordTiming, ...] = ()
        spoken = text.split()
        if spoken and end > start and draw(st.booleans()):
            cuts = sorted(
                draw(
                    st.lists(
                        st.integers(start, end), min_size=2 * len(spoken), max_size=2 * len(spoken)
                    )
                )
            )
            words = tuple(
                WordTiming(w, cuts[2 * i] / 1000, cuts[2 * i + 1] / 1000)
                for i, w in enumerate(spoken)
            )
        sentences.append(SentenceTiming(text, start / 1000, end / 1000, words))
        cursor = end
    return sentences, cjk


@settings(max_examples=300, deadline=None)
@given(
    data=sentence_lists(),
    max_lines=st.integers(1, 3),
    cjk_width=st.integers(2, 20),
    latin_width=st.integers(6, 42),
)
def test_cue_guarantees_hold_for_any_sentences(
    data: tuple[list[SentenceTiming], bool], max_lines: int, cjk_width: int, latin_width: int
) -> None:
    sentences, cjk = data
    rules = CueRules(max_lines, cjk_width, latin_width)
    cues = build_cues(sentences, rules)
    text = squeeze("".join(s.text for s in sentences))
    if not any(s.end > s.start for s in sentences) or not text:
        assert cues == []
        return
    assert_well_formed(cues, rules, cjk_width if cjk else latin_width)
    assert squeeze("".join(c.text for c in cues)) == text
    assert cues[-1].end == sentences[-1].end
    assert cues[0].start >= sentences[0].start


def test_cjk_inside_latin_text_can_still_be_wrapped() -> None:
    text = (
        "The sign said 欢迎光临我们的小店今天所有商品都打八折请慢慢挑选谢谢您的光临 in red letters."
    )
    cues = build_cues([SentenceTiming(text, 0.0, 5.0)], CueRules(max_lines=2))
    assert_well_formed(cues, CueRules(), 42)
    assert all(len(line) <= 42 for c in cues for line in c.text.split("\n"))
    assert squeeze("".join(c.text for c in cues)) == squeeze(text)


def test_a_heading_without_punctuation_is_a_cue_of_its_own() -> None:
    # the way a job goes: text → chunks → sentences of each chunk, timed one after another
    text = "第一章 清晨的车站\n清晨六点，车站里人很少。"
    sentences = [s for chunk in chunk_text(text) for s in split_sentences(chunk)]
    timings, start = [], 0.0
    for sentence in sentences:
        timings.append(SentenceTiming(sentence, start, start + 0.2 * len(sentence)))
        start += 0.2 * len(sentence) + 0.25
    cues = build_cues(timings, RULES)
    assert [c.text for c in cues] == ["第一章 清晨的车站", "清晨六点，车站里人很少。"]
