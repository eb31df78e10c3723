"""How many vectors a local Chroma store holds, read from its SQLite file without chromadb.

The index snapshot (:mod:`~photoclip.core.index_cache`) is trusted only when the store holds as
many vectors as the catalog records (issue 14 #29: a lost or old store is never hidden). Asking
Chroma costs importing chromadb and opening the store (1-1.5 s on a 2-core laptop), more than the
rest of a one-shot ``photoclip search`` or ``status``. An embedded Chroma store keeps one row per
vector of a collection in the ``embeddings`` table of its metadata segment, in
``<folder>/chroma.sqlite3``; :func:`local_count` counts those rows (read-only) when every write in
Chroma's log has been applied to that segment. Anything it does not recognise (another schema, a
log not yet applied, a damaged file) gives None, and the caller asks Chroma itself.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)

__all__ = ["local_count"]

_COUNT = """
SELECT s.id, (SELECT COUNT(*) FROM embeddings e WHERE e.segment_id = s.id),
       (SELECT m.seq_id FROM max_seq_id m WHERE m.segment_id = s.id), c.id
FROM collections c JOIN segments s ON s.collection = c.id
WHERE c.name = ? AND s.scope = 'METADATA'
"""
_LOG_END = "SELECT MAX(seq_id) FROM embeddings_queue WHERE topic LIKE ?"


def local_count(folder: Path, collection: str) -> int | None:
    """Vectors in collection ``collection`` of the embedded Chroma store in ``folder``, or None
    where that cannot be read for certain without Chroma."""
    db = Path(folder) / "chroma.sqlite3"
    if not db.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as conn:
            rows = conn.execute(_COUNT, (collection,)).fetchall()
            if len(rows) != 1:
                return None
            _segment, count, applied, collection_id = rows[0]
            (end,) = conn.execute(_LOG_END, (f"%/{collection_id}",)).fetchone()
    except sqlite3.Error as exc:
        log.debug("Cannot count %s without Chroma: %s", db, exc)
        return None
    if end is not None and (not isinstance(applied, int) or applied < end):
        return None  # writes in the log not applied to the segment yet: ask Chroma
    return int(count)
