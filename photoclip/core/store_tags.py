"""The photos' tags in the vector store's metadata, for Chroma users who query the collection
directly (``where={"tags": {"$contains": "beach"}}``): what a record carries and keeping it
current when tags change. The catalog's tags are the truth; the store holds a copy."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from photoclip.core.vectors import VectorStore, VectorStoreError

log = logging.getLogger(__name__)

#: Catalog meta key: the collection whose ``tags`` are known to match the catalog.
TAGS_SYNCED_META = "store_tags_synced"


def store_tags(catalog: Any, model: str, ids: Iterable[int] | None) -> dict[int, list[str]]:
    """The tags each photo's record carries: the user's, the keywords read from its files and
    the automatic tags of ``model`` (only those above the tagging threshold are kept at all),
    distinct regardless of case. ``ids=None``: every photo with a vector of ``model``."""
    with catalog.transaction() as db:
        if ids is None:
            wanted = [r[0] for r in db.execute(
                "SELECT photo_id FROM embeddings WHERE model=?", (model,))]
        else:
            wanted = list(dict.fromkeys(int(i) for i in ids))
        out: dict[int, list[str]] = {pid: [] for pid in wanted}
        seen: dict[int, set[str]] = {pid: set() for pid in wanted}
        for lo in range(0, len(wanted), 500):
            chunk = wanted[lo : lo + 500]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(
                f"SELECT photo_id, tag FROM tags WHERE photo_id IN ({marks})"
                " AND (source <> 'auto' OR model = ?) ORDER BY photo_id, source <> 'user', tag",
                [*chunk, model],
            )
            for pid, tag in rows:
                if tag.lower() not in seen[pid]:
                    seen[pid].add(tag.lower())
                    out[pid].append(tag)
    return out


def sync_store_tags(
    store: VectorStore, catalog: Any, model: str, ids: Iterable[int] | None = None
) -> None:
    """Copy photos' current tags (:func:`store_tags`) into the store's ``tags`` metadata: for
    ``ids`` after their tags changed, or (``ids=None``) for every photo when the store has not
    been synced with this catalog yet. A store that cannot be written is logged, not raised (the
    tags themselves stand); the next opening copies them all again."""
    if ids is None and catalog.get_meta(TAGS_SYNCED_META) == store.name:
        return
    try:
        tags = store_tags(catalog, model, ids)
        if tags:
            store.set_tags(tags)
        if ids is None:
            catalog.set_meta(TAGS_SYNCED_META, store.name)
    except VectorStoreError as exc:
        log.warning("The vector store's copy of the tags is out of date until it answers: %s",
                    exc)
        catalog.set_meta(TAGS_SYNCED_META, None)
