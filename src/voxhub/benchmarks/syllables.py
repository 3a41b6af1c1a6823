"""Mandarin heard as syllables: what a voice said, apart from the characters a recognizer chose."""

from __future__ import annotations

from voxhub.engines.asr.accuracy import edit_distance, normalize_for_scoring


def syllable_error_rate(reference: str, hypothesis: str) -> float:
    """Edits over toneless pinyin syllables ÷ reference syllables.

    The recognizer's language model picks among homophones (公园 or 公圆, 风筝 or 风整),
    which character error rate charges to the voice; syllables without tones charge only
    sounds the voice got wrong or the recognizer did not hear. Tones are left out because
    whisper's characters carry the tone of the word it guessed, not of what was said.
    """
    ref, hyp = _syllables(reference), _syllables(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)


def _syllables(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    cleaned = normalize_for_scoring(text).replace(" ", "")
    return lazy_pinyin(cleaned, style=Style.NORMAL, errors="ignore")
