"""The normalization set: its coverage, and voxhub's normalizer measured on it."""

from __future__ import annotations

from collections import Counter

from voxhub.benchmarks.normalization import CATEGORIES, LANGUAGES, as_spoken, load_cases, score

MIN_ROWS = 300
MIN_ROWS_PER_CATEGORY = 8
MIN_MIXED_ROWS = 30
TARGET_EXACT = 0.95


def test_the_set_covers_every_category_in_both_languages() -> None:
    cases = load_cases()
    counts = Counter((case.language, case.category) for case in cases)
    assert len(cases) >= MIN_ROWS
    assert {case.language for case in cases} == set(LANGUAGES)
    assert {case.category for case in cases} == set(CATEGORIES)
    thin = {
        (language, category): counts[language, category]
        for language in ("zh", "en")
        for category in CATEGORIES
        if counts[language, category] < MIN_ROWS_PER_CATEGORY
    }
    assert not thin, f"categories with fewer than {MIN_ROWS_PER_CATEGORY} sentences: {thin}"
    assert sum(1 for case in cases if case.language == "zh+en") >= MIN_MIXED_ROWS


def test_every_row_is_a_distinct_sentence_with_readings() -> None:
    cases = load_cases()
    assert len({case.written for case in cases}) == len(cases)
    assert all(case.readings and all(case.readings) for case in cases)


def test_voxhub_reads_the_set_as_people_do() -> None:
    # as synthesis reads it: a Chinese sentence's English words normalized as English
    result = score(as_spoken, load_cases())
    failures = "\n".join(f"{f.case.written} -> {f.produced}" for f in result.failures)
    assert result.rate() >= TARGET_EXACT, failures
