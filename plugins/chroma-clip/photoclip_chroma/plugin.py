"""The photoclip side of chroma-clip: an exporter that writes photos into a Chroma collection
made with :class:`PhotoclipEmbeddingFunction`, so other programs can query it by text or image
with plain chromadb (``photoclip export --as chroma --to DIR``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from photoclip.plugin_api import Exporter, Photo, PluginContext, PluginError, counted, hookimpl

COLLECTION = "photoclip"


def export_chroma(context: PluginContext, photos: list[Photo], dest: Path) -> list[Path]:
    """Upsert the photos' stored vectors (no model call) into collection ``photoclip`` of a
    Chroma store in ``dest``; returns ``[dest]``."""
    import chromadb
    from chromadb.config import Settings

    from photoclip_chroma.embedding_function import PhotoclipEmbeddingFunction

    by_id = {p.id: p for p in photos}
    ids, vectors = context.vectors(list(by_id))
    if len(ids) < len(by_id):
        missing = len(by_id) - len(ids)
        raise PluginError(
            f"{counted(missing, 'photo')} of {len(by_id):,} "
            f"{'has' if missing == 1 else 'have'} no vector yet (run `photoclip index`); "
            "nothing was exported"
        )
    ef = PhotoclipEmbeddingFunction(model=context.model)
    client = chromadb.PersistentClient(str(dest), settings=Settings(anonymized_telemetry=False))
    col = client.get_or_create_collection(
        COLLECTION, embedding_function=ef, configuration={"hnsw": {"space": "cosine"}}
    )
    batch = client.get_max_batch_size()
    for lo in range(0, len(ids), batch):
        chunk = ids[lo : lo + batch]
        col.upsert(
            ids=[str(i) for i in chunk], embeddings=vectors[lo : lo + batch],
            uris=[by_id[i].path for i in chunk],
            metadatas=[_metadata(context, by_id[i]) for i in chunk],
        )
    return [dest]


def _metadata(context: PluginContext, photo: Photo) -> dict[str, str | int | list[str]]:
    """What a chromadb user can filter on (the same keys as photoclip's own collections):
    ``{"tags": {"$contains": "beach"}}``, ``{"taken": {"$gte": 1704067200}}``."""
    meta: dict[str, str | int | list[str] | None] = {
        "path": photo.path, "hash": photo.content_hash, "width": photo.width,
        "height": photo.height, "camera": photo.camera,
        "taken": int(photo.taken) if photo.taken is not None else None,
        "taken_iso": (datetime.fromtimestamp(photo.taken).isoformat(timespec="seconds")
                      if photo.taken is not None else None),
        "tags": sorted(context.tags(photo.id)) or None,  # Chroma has no empty lists
    }
    return {k: v for k, v in meta.items() if v is not None}


@hookimpl
def photoclip_exporters(register: Callable[[Exporter], None]) -> None:
    register(Exporter("chroma", "a Chroma store (collection 'photoclip') that chromadb can "
                      "query by text with photoclip_chroma", export_chroma))
