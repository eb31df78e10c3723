"""A fake Hugging Face hub on 127.0.0.1 that ``huggingface_hub.hf_hub_download`` accepts.

It answers ``HEAD``/``GET /{repo_id}/resolve/{revision}/{filename}`` the way the real hub does for
a plain (non-Xet) file: ``X-Repo-Commit``, a quoted sha256 ``ETag`` and ``X-Linked-Etag``,
``X-Linked-Size``, ``Content-Length``, byte ``Range`` requests (206), and ``X-Error-Code``
(``EntryNotFound`` / ``RepoNotFound``) on 404s. Faults can be injected: drop the connection after
some bytes (``drop_after``, for the next ``drop_times`` GETs), or send slowly (``chunk_delay``).

Usage::

    with FakeHub({"org/repo": {"file.bin": b"..."}}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
"""

from __future__ import annotations

import hashlib
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

log = logging.getLogger(__name__)

COMMIT = "0123456789abcdef0123456789abcdef01234567"
CHUNK = 64 * 1024


@dataclass
class Request:
    method: str
    path: str
    range: str | None


@dataclass
class FakeHub:
    """A threaded fake hub; ``repos`` maps ``org/name`` to ``{filename: bytes or Path}``."""

    repos: dict[str, dict[str, bytes | Path]]
    drop_after: int | None = None  # bytes of body to send before dropping the connection
    drop_times: int = 0  # how many GETs to drop (then serve normally)
    chunk_delay: float = 0.0  # seconds to sleep after each 64 KiB chunk
    requests: list[Request] = field(default_factory=list)
    bytes_sent: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start the hub first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            fake = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----- content -----------------------------------------------------------------------------

    def content(self, repo: str, filename: str) -> bytes | None:
        files = self.repos.get(repo)
        if files is None or filename not in files:
            return None
        data = files[filename]
        return data.read_bytes() if isinstance(data, Path) else data

    def gets(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.method == "GET"]


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        log.debug("fake hub: " + format, *args)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        hub = self.fake
        rng = self.headers.get("Range")
        with hub._lock:
            hub.requests.append(Request(self.command, self.path, rng))
        path = unquote(self.path.split("?", 1)[0].lstrip("/"))
        repo, sep, rest = path.partition("/resolve/")
        _revision, _, filename = rest.partition("/")
        if not sep or not filename:
            return self._error(400, "BadRequest")
        if repo not in hub.repos:
            return self._error(404, "RepoNotFound")
        data = hub.content(repo, filename)
        if data is None:
            return self._error(404, "EntryNotFound")
        etag = hashlib.sha256(data).hexdigest()
        start = 0
        if rng and rng.startswith("bytes="):
            start = int(rng[len("bytes=") :].split("-", 1)[0] or 0)
        status = 206 if start else 200
        self.send_response(status)
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("ETag", f'"{etag}"')
        self.send_header("X-Linked-Etag", f'"{etag}"')
        self.send_header("X-Linked-Size", str(len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if not body:
            return
        with hub._lock:
            drop = hub.drop_after if hub.drop_times > 0 else None
            if drop is not None:
                hub.drop_times -= 1
        self._send_body(data[start:], drop)

    def _send_body(self, payload: bytes, drop: int | None) -> None:
        hub = self.fake
        sent = 0
        try:
            while sent < len(payload):
                if drop is not None and sent >= drop:
                    self.close_connection = True
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                end = len(payload) if drop is None else min(len(payload), drop)
                piece = payload[sent : min(end, sent + CHUNK)]
                self.wfile.write(piece)
                sent += len(piece)
                with hub._lock:
                    hub.bytes_sent += len(piece)
                if hub.chunk_delay:
                    time.sleep(hub.chunk_delay)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _error(self, status: int, code: str) -> None:
        message = f"{code}: {self.path}".encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", code)
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(message)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(message)
