"""Piper's phonemes become word timings clause by clause, edges set where the sound is."""

from __future__ import annotations

import numpy as np

from voxhub.engines.tts.alignment import PhonemeGroup
from voxhub.engines.tts.piper.words import (
    align_clauses,
    phoneme_clauses,
    snap_to_speech,
    text_clauses,
)
from voxhub.timing import WordTiming


def test_text_clauses_break_at_punctuation_between_words() -> None:
    text = "Well, Mr. Smith's well-known co-op closed; we left!"
    assert text_clauses(text) == [
        ["Well"],
        ["Mr"],
        ["Smith's", "well-known", "co-op", "closed"],
        ["we", "left"],
    ]


def test_phoneme_clauses_leave_spaces_and_punctuation_out_of_words() -> None:
    phonemes = ["a", "b", ",", " ", "c", " ", "d", "e", "."]
    edges = [float(i) for i in range(len(phonemes) + 1)]
    assert phoneme_clauses(phonemes, edges) == [
        [PhonemeGroup("ab", 0.0, 2.0)],
        [PhonemeGroup("c", 4.0, 5.0), PhonemeGroup("de", 6.0, 8.0)],
    ]


def test_clauses_keep_a_merged_word_guess_inside_its_clause() -> None:
    words = [["Hello"], ["one", "of", "the", "two"]]
    groups = [
        [PhonemeGroup("həloʊ", 0.0, 0.5)],
        [
            PhonemeGroup("wʌn", 1.0, 1.3),
            PhonemeGroup("ʌvðə", 1.3, 1.6),  # "of the" spoken as one word
            PhonemeGroup("tuː", 1.6, 2.0),
        ],
    ]
    timed = align_clauses(words, groups)
    assert timed[0] == [WordTiming("Hello", 0.0, 0.5)]
    assert [w.text for w in timed[1]] == ["one", "of", "the", "two"]
    assert timed[1][0].start == 1.0 and timed[1][-1].end == 2.0
    # the pause between the clauses (0.5 s to 1.0 s) is in no word
    assert all(w.start >= 1.0 for w in timed[1])


def test_clause_mismatch_times_the_whole_text_at_once() -> None:
    timed = align_clauses([["a", "b"], ["c"]], [[PhonemeGroup("x", 0.0, 1.0)]])
    assert len(timed) == 1 and [w.text for w in timed[0]] == ["a", "b", "c"]


def test_clause_edges_snap_to_the_sound() -> None:
    rate = 1000
    samples = np.zeros(2000, dtype=np.float32)
    samples[200:600] = 0.5  # first clause sounds 0.2-0.6 s
    samples[1000:1500] = 0.5  # second clause sounds 1.0-1.5 s
    clauses = [
        [WordTiming("one", 0.1, 0.3), WordTiming("two", 0.3, 0.8)],  # ends late
        [WordTiming("three", 1.05, 1.4)],  # starts late, ends early
    ]
    words = snap_to_speech(clauses, samples, rate)
    assert [w.text for w in words] == ["one", "two", "three"]
    # speech_bounds pads the sound by 20 ms
    assert np.allclose([words[0].start, words[1].end], [0.18, 0.62])
    assert np.allclose([words[2].start, words[2].end], [0.98, 1.52])
    assert words[0].end == 0.3 and words[1].start == 0.3  # inner edges are the model's
