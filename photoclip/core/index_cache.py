"""A snapshot of a model's in-memory index, so a large library opens in a blink.

Loading 100,000 vectors back out of Chroma takes 8-10 s here; reading this snapshot takes a small
fraction of that. The snapshot records, for every vector, the photo id and the content hash it was
made from. It is used only if those pairs equal the catalog's record of embedded photos exactly;
anything else (a crash after more work was done, an edit, a deletion) makes the library load from
Chroma as before and write a fresh snapshot. Chroma stays the durable store.
"""

from __future__ import annotations

import logging
import os
import zipfile
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

FORMAT = 1


def save(path: Path, ids: np.ndarray, vectors: np.ndarray, hashes: dict[int, str]) -> None:
    """Write a snapshot atomically (a crash never leaves a half-written one in place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    pairs = np.array([hashes.get(int(i), "") for i in ids], dtype="S64")  # 64 hex digits
    with open(tmp, "wb") as f:
        np.savez(f, format=np.int64(FORMAT), ids=ids.astype(np.int64),
                 vectors=vectors.astype(np.float32), hashes=pairs)
    os.replace(tmp, path)


def load(path: Path, expected: dict[int, str], dim: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(ids, vectors) if the snapshot matches ``expected`` {photo id: content hash} exactly."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"]) != FORMAT:
                return None
            ids = data["ids"]
            hashes = data["hashes"]
            if len(ids) != len(expected) or data["vectors"].shape[1:] != (dim,):
                return None
            for pid, h in zip(ids.tolist(), hashes.tolist()):
                if expected.get(pid) != h.decode():
                    return None
            return ids, data["vectors"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("Ignoring unreadable index snapshot %s: %s", path, exc)
        return None
