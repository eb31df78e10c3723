"""How strong a search match is, in words a non-expert reads, from its cosine score.

CLIP's cosine between a text and a photo rarely leaves 0.1-0.4: 0.30 is a clear match and 0.18
a faint one, which means nothing to most users. Four levels name the bands (a photo found by
another photo scores higher and reads "strong"); the raw score stays for those who want it.
"""

from __future__ import annotations

import bisect

__all__ = ["LEVELS", "THRESHOLDS", "match_level", "match_word"]

#: the levels' names, weakest first
LEVELS = ("weak", "fair", "good", "strong")
#: the cosine where each level from "fair" on starts
THRESHOLDS = (0.18, 0.23, 0.28)


def match_level(score: float) -> int:
    """0 (weak) to 3 (strong) for a cosine ``score``."""
    return bisect.bisect_right(THRESHOLDS, score)


def match_word(score: float) -> str:
    """``"good"``: the level's name for a cosine ``score``."""
    return LEVELS[match_level(score)]
