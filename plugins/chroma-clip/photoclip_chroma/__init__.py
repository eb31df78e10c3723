"""photoclip's CLIP embedder as a chromadb embedding function.

    import chromadb
    from photoclip_chroma import PhotoclipEmbeddingFunction

    client = chromadb.PersistentClient("photos-db")
    col = client.create_collection("photos", embedding_function=PhotoclipEmbeddingFunction(),
                                   configuration={"hnsw": {"space": "cosine"}})
    col.add(ids=["1"], images=[numpy_rgb_array])            # or uris=... with an ImageLoader
    col.query(query_texts=["a dog on a beach"], n_results=5)
    col.query(query_images=[another_array], n_results=5)

    chromadb.PersistentClient("photos-db").get_collection("photos")   # later: no EF needed

Importing this package registers the function with Chroma under the name ``photoclip``, so a
collection created with it reopens by name (Chroma rebuilds the function from the stored
config: model key, device, precision, batch size, folders).
"""

from photoclip_chroma.embedding_function import PhotoclipEmbeddingFunction

__all__ = ["PhotoclipEmbeddingFunction"]
