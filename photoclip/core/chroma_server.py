"""A Chroma server as photoclip sees it: its address, whether it answers, how long to wait for
it. Imports httpx (Chroma's HTTP client), never chromadb, so ``photoclip status`` can ask
cheaply; :mod:`photoclip.core.vectors` uses these for its server stores."""

from __future__ import annotations

import os
from typing import Any

#: How long (seconds) a Chroma server may stay unreachable in the middle of an operation (a
#: restart, a network blip) before the operation fails; the environment variable
#: PHOTOCLIP_CHROMA_PATIENCE overrides it. Tries are 0.5 s apart at first, doubling up to 8 s.
#: Opening a store does not wait: a server that is not there is reported at once.
SERVER_PATIENCE = 45.0


def server_patience() -> float:
    """:data:`SERVER_PATIENCE`, or PHOTOCLIP_CHROMA_PATIENCE if that is a number of seconds."""
    try:
        return max(0.0, float(os.environ.get("PHOTOCLIP_CHROMA_PATIENCE", SERVER_PATIENCE)))
    except ValueError:
        return SERVER_PATIENCE


def unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the server could not be reached (worth trying again), as opposed
    to the server answering with an error."""
    import httpx

    if isinstance(exc, httpx.TransportError):  # refused, reset, timed out, closed mid-answer
        return True
    return "Could not connect to a Chroma server" in str(exc)


def server_url(host: str, port: int, ssl: bool = False) -> str:
    """The URL of a Chroma server, as a user would write it in ``chroma_server``."""
    return f"{'https' if ssl else 'http'}://{host}:{port}"


def server_answers(url: str, timeout: float = 3.0) -> str | None:
    """None if the Chroma server at ``url`` answers its heartbeat, else why not (one line).
    Does not import chromadb."""
    import httpx

    try:
        address = server_address(url)
        base = server_url(address["host"], address["port"], address["ssl"])
        response = httpx.get(f"{base}/api/v2/heartbeat", timeout=timeout)
        response.raise_for_status()
    except ValueError as exc:
        return str(exc)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return None


def server_address(url: str) -> dict[str, Any]:
    """``host``, ``port`` and ``ssl`` for :class:`VectorStore` from a Chroma server's URL
    (``http://host:port``, ``https://host``, or ``host:port``)."""
    from urllib.parse import urlsplit

    text = url.strip()
    parts = urlsplit(text if "://" in text else f"http://{text}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"chroma_server must look like http://host:port, not {url!r}")
    ssl = parts.scheme == "https"
    try:
        port = parts.port or (443 if ssl else 8000)
    except ValueError as exc:
        raise ValueError(f"chroma_server {url!r}: {exc}") from exc
    return {"host": parts.hostname, "port": port, "ssl": ssl}
