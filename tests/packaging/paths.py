"""Where the packaging files are (imported by the packaging tests)."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
