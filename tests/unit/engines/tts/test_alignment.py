"""Word timings from phoneme timings."""

from __future__ import annotations

from voxhub.engines.tts.alignment import align_words, phoneme_groups

PUNCT = frozenset(",.!?")


def test_groups_split_at_spaces_and_leave_out_edge_punctuation() -> None:
    phonemes = "həlˈoʊ wˈɜːld, hi."
    edges = [float(i) for i in range(len(phonemes) + 1)]
    groups = phoneme_groups(phonemes, edges, PUNCT)
    assert [g.phonemes for g in groups] == ["həlˈoʊ", "wˈɜːld", "hi"]
    assert (groups[1].start, groups[1].end) == (7.0, 13.0)
    assert (groups[2].start, groups[2].end) == (15.0, 17.0)


def test_punctuation_only_groups_are_dropped() -> None:
    phonemes = "a , b"
    groups = phoneme_groups(phonemes, [float(i) for i in range(6)], PUNCT)
    assert [g.phonemes for g in groups] == ["a", "b"]


def test_one_group_per_word_pairs_exactly() -> None:
    groups = phoneme_groups("ab cd", [0.0, 0.1, 0.2, 0.3, 0.4, 0.5], PUNCT)
    words = align_words(["hello", "world"], groups)
    assert [(w.text, w.start, w.end) for w in words] == [
        ("hello", 0.0, 0.2),
        ("world", 0.3, 0.5),
    ]


def test_merged_words_share_their_group_by_length() -> None:
    # "of the" spoken as one group of 4 phonemes spanning 1.0 .. 2.0
    groups = phoneme_groups(
        "ʌvðə pˈiːpəl", [1.0, 1.25, 1.5, 1.75, 2.0, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2, 3.4], PUNCT
    )
    words = align_words(["of", "the", "people"], groups)
    assert [w.text for w in words] == ["of", "the", "people"]
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    assert words[0].start == 1.0 and abs(words[-1].end - 3.4) < 1e-9
    for word in words:
        assert word.start <= word.end


def test_nothing_to_align() -> None:
    assert align_words([], []) == []
    assert align_words(["a"], []) == []
