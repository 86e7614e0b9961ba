""""Did you mean …?": the closest known name to a misspelt one."""
from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name, candidates: Iterable, *, cutoff: float = 0.5) -> str | None:
    """The known name most like ``name``, or None when none is close enough."""
    found = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(name, candidates: Iterable, *, cutoff: float = 0.5) -> tuple[str, str]:
    """The hint to append to a message, in English and Chinese ("" and "" when nothing is close)."""
    close = closest(name, candidates, cutoff=cutoff)
    return (f"; did you mean '{close}'?", f"；是否应为 '{close}'？") if close else ("", "")
