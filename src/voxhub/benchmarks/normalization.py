"""Text normalization measured: written sentences scored against the readings people say."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources

from voxhub.benchmarks.normalization_reference import wetext_normalizer
from voxhub.text.language import HAN_CHARACTER
from voxhub.text.runs import spoken_runs

# (text, language) -> spoken text; language is "zh" (also for Chinese with English in it) or "en"
Normalizer = Callable[[str, str], str]
LANGUAGES = ("zh", "en", "zh+en")
CATEGORIES = (
    "number",
    "decimal",
    "negative",
    "percent",
    "fraction",
    "range",
    "date",
    "time",
    "money",
    "unit",
    "phone",
    "id",
    "ordinal",
    "year",
    "math",
    "symbol",
)
READING_SEPARATOR = " | "

_SPACE_BY_HAN = re.compile(rf"(?<={HAN_CHARACTER}) | (?={HAN_CHARACTER})")
# Letters said one by one are the same speech however they are spaced: "P M", "p.m.", "PM".
_SPELLED = re.compile(r"\b[a-z](?: [a-z]\b)+")
# British and American spellings of unit names are read alike: metre/meter, litre/liter.
_BRITISH_RE = re.compile(r"(?<=[a-z])(met|lit)re(s?)\b")
# Punctuation is not read, except these marks (left unread in the output they must count).
_READ_MARKS = frozenset("%‰&@#*/\\§")
# "nine o five" and "nine oh five" are one reading spelled two ways.
_LETTER_O = re.compile(r"\bo\b")


@dataclass(frozen=True)
class Case:
    category: str
    language: str
    written: str
    readings: tuple[str, ...]

    @property
    def normalizer_language(self) -> str:
        """Chinese with English inside is Chinese text: it goes to the zh normalizer."""
        return "en" if self.language == "en" else "zh"


@dataclass(frozen=True)
class Failure:
    case: Case
    produced: str


@dataclass
class Score:
    # (language, category) -> (exact, total)
    cells: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    def rate(self, language: str | None = None, category: str | None = None) -> float:
        """Exact-match share over the cells that match; None matches every language/category."""
        exact = total = 0
        for (cell_language, cell_category), (hits, count) in self.cells.items():
            if language in (None, cell_language) and category in (None, cell_category):
                exact, total = exact + hits, total + count
        return exact / total if total else 0.0


def load_cases(text: str | None = None) -> list[Case]:
    """The shipped set (data/normalization.tsv), or `text` in its format: a header line, then
    category, language, written, readings (alternatives joined by " | "), tab-separated."""
    if text is None:
        source = resources.files("voxhub.benchmarks") / "data" / "normalization.tsv"
        text = source.read_text(encoding="utf-8")
    cases = []
    for line in text.splitlines()[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        category, language, written, spoken = line.split("\t")
        readings = tuple(reading.strip() for reading in spoken.split(READING_SEPARATOR))
        cases.append(Case(category, language, written, readings))
    return cases


def canonical(text: str) -> str:
    """What the comparison sees, the same for expected and produced text: compatibility forms
    folded (full-width to ASCII), case ignored, punctuation ignored (symbols that are read,
    such as + = % & @ °, are kept), spaces collapsed and dropped next to Chinese characters, a lone
    "o" taken as "oh", spelled letters joined, British unit spellings taken as American ones."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if _is_silent(char) else char for char in text)
    text = _LETTER_O.sub("oh", " ".join(text.split()))
    text = _SPACE_BY_HAN.sub("", text)
    text = _SPELLED.sub(lambda match: match.group(0).replace(" ", ""), text)
    return _BRITISH_RE.sub(lambda match: match.group(1) + "er" + match.group(2), text)


def _is_silent(char: str) -> bool:
    return unicodedata.category(char).startswith("P") and char not in _READ_MARKS


def is_exact(case: Case, produced: str) -> bool:
    return canonical(produced) in {canonical(reading) for reading in case.readings}


def score(normalizer: Normalizer, cases: Iterable[Case]) -> Score:
    result = Score()
    for case in cases:
        produced = normalizer(case.written, case.normalizer_language)
        key = (case.language, case.category)
        hits, total = result.cells.get(key, (0, 0))
        exact = is_exact(case, produced)
        result.cells[key] = (hits + exact, total + 1)
        if not exact:
            result.failures.append(Failure(case, produced))
    return result


def as_spoken(text: str, language: str) -> str:
    """What synthesis reads: the text's language runs as they are spoken."""
    return "".join(run.text for run in spoken_runs(text, language))


def normalizers() -> dict[str, Normalizer | None]:
    """voxhub's, as synthesis applies it, and the reference (None when its optional package
    is not installed)."""
    return {"voxhub": as_spoken, "wetext": wetext_normalizer()}


def report(out: Callable[[str], None] = print, show_failures: bool = False) -> None:
    """A table of exact-match rates, category × normalizer, per language and overall."""
    cases = load_cases()
    scores = {name: score(run, cases) if run else None for name, run in normalizers().items()}
    out(
        f"text normalization: {len(cases)} sentences (src/voxhub/benchmarks/data/"
        "normalization.tsv); exact match after canonical(), higher is better"
    )
    out(_row(("language", "category", "n"), [*scores]))
    for language in LANGUAGES:
        for category in (*CATEGORIES, None):
            count = sum(
                1 for c in cases if c.language == language and category in (None, c.category)
            )
            if count:
                cells = [_cell(s, language, category) for s in scores.values()]
                out(_row((language, category or "all", str(count)), cells))
    out(_row(("all", "all", str(len(cases))), [_cell(s, None, None) for s in scores.values()]))
    out(f"categories where the reference reads better: {_reference_better(scores) or 'none'}")
    for name, result in scores.items():
        if show_failures and result is not None:
            out(f"\n{name}: {len(result.failures)} failures")
            out("\n".join(_describe(failure) for failure in result.failures))


def _cell(result: Score | None, language: str | None, category: str | None) -> str:
    return "not installed" if result is None else f"{100 * result.rate(language, category):.1f}%"


def _reference_better(scores: dict[str, Score | None]) -> str:
    ours, reference = scores["voxhub"], scores["wetext"]
    if ours is None or reference is None:
        return "not measured"
    return ", ".join(
        f"{language} {category}"
        for language, category in sorted(ours.cells)
        if reference.rate(language, category) > ours.rate(language, category)
    )


def _row(label: Sequence[str], cells: Sequence[str]) -> str:
    return f"{label[0]:<9}{label[1]:<10}{label[2]:>5}" + "".join(f"{cell:>15}" for cell in cells)


def _describe(failure: Failure) -> str:
    case = failure.case
    return (
        f"  [{case.language} {case.category}] {case.written}\n"
        f"    got:      {failure.produced}\n    expected: {case.readings[0]}"
    )
