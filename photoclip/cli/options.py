"""Types for numeric and date options: a value out of range is a usage error (exit status 2)
that says what is allowed, before any work starts."""

from __future__ import annotations

import argparse
import math
from datetime import date


def positive_int(text: str) -> int:
    """An int of at least 1 (``--limit``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def score(text: str) -> float:
    """A cosine similarity, in [-1, 1] (``--min-score``)."""
    value = _float(text)
    if not -1.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(
            f"a score is a cosine similarity between -1 and 1, not {value:g} "
            "(photo scores are usually 0.15 to 0.35: see them with `photoclip search`)"
        )
    return value


def non_negative_float(text: str) -> float:
    """A number of at least 0 (seconds)."""
    value = _float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value:g}")
    return value


def iso_date(text: str) -> date:
    """A calendar date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date: {text!r} (write it as YYYY-MM-DD, e.g. 2023-06-30)"
        ) from None
