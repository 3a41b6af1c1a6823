"""Text that UTF-8 and every supported database can hold: no lone surrogates, no NUL."""

from __future__ import annotations

import re

# surrogate code points have no UTF-8 form (a JSON "\ud800" escape, or raw bytes ED A0 80,
# decodes to one); PostgreSQL text cannot hold U+0000, and C strings end at it
_REFUSED = re.compile("[\x00\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """What keeps `text` from being stored and spoken, said so its sender can fix it (the
    first such character and its position); None when nothing does."""
    found = _REFUSED.search(text)
    if found is None:
        return None
    char, position = found.group(), found.start()
    if char == "\x00":
        return f"contains a NUL character (U+0000) at position {position}; remove it"
    return (
        f"contains an unpaired surrogate (U+{ord(char):04X}) at position {position}; "
        "send valid Unicode"
    )
