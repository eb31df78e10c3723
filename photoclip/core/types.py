"""Small immutable values passed between the core's parts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FileInfo:
    """What a directory walk learns about a file without opening it."""

    path: str  # absolute, resolved
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class ImageInfo:
    """Facts read from an image while decoding it."""

    width: int  # as displayed (after EXIF orientation), of the original, not the decoded copy
    height: int
    format: str  # Pillow's format name, e.g. "JPEG", "HEIF", "DNG"
    taken: datetime | None = None  # EXIF DateTimeOriginal (naive local time), if present
    camera: str | None = None  # "Make Model", if present


@dataclass(frozen=True)
class PreprocessSpec:
    """How a model wants its input pixels (mirrors open_clip's PreprocessCfg)."""

    image_size: tuple[int, int]  # (height, width)
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    interpolation: str = "bicubic"  # bicubic | bilinear
    resize_mode: str = "shortest"  # shortest | longest | squash
    fill_color: int = 0

    @property
    def min_side(self) -> int:
        """The smallest source side that still gives full detail at the model's input size."""
        return max(self.image_size)


@dataclass(frozen=True)
class SearchHit:
    """One search result: a photo and how well it matches."""

    rank: int  # 1-based
    photo_id: int
    path: str
    score: float  # cosine similarity of the (weighted) query and the photo
