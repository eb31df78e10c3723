"""The library's owner serves other photoclip processes over a local endpoint only the user opens.

The process that holds the library lock (the desktop app, `photoclip watch`) starts an
:class:`OwnerServer`; other processes find it with :func:`connect` and send it requests. Nothing
here knows what a request means: the owner passes each one to a handler (the CLI's, see
``photoclip.cli.serve``) on a thread of its own, with a :class:`Channel` to answer through.

The endpoint is never a TCP port:

- POSIX: an ``AF_UNIX`` socket in a 0700 folder (``<library>/owner/``, or a per-user folder under
  ``$XDG_RUNTIME_DIR`` or the temp folder when that path would pass the ~100-byte socket path
  limit); the socket itself is 0600.
- Windows: a named pipe (``AF_PIPE``) whose name includes a random part.

Either way a peer must prove it knows the key in ``<library>/owner.key`` (0600, a new random key
for every owner start) before a byte is read: the challenge of :mod:`multiprocessing.connection`.
Payloads are JSON (``send_bytes``/``recv_bytes``): nothing a peer sends is ever unpickled.

Where the endpoint is (address and pid) is in ``<library>/owner.json``, a file the lock does not
cover (Windows cannot read a locked byte). The rule that keeps a dead owner (kill -9) from
blocking anything: only the lock holder may start a server, so a process that holds the lock
knows any endpoint left there is stale and removes it (:func:`remove_stale`); a client that is
refused (no socket, nobody listening) goes on without the owner at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import socket
import stat
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import AuthenticationError
from multiprocessing.connection import (
    Client,
    Connection,
    Listener,
    answer_challenge,
    deliver_challenge,
)
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ENDPOINT_FILE = "owner.json"
KEY_FILE = "owner.key"
SOCKET_DIR = "owner"
MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux, 104 on macOS (with the NUL)
FAMILY = "AF_PIPE" if sys.platform == "win32" else "AF_UNIX"


class OwnerRefused(Exception):
    """An owner is listening but refused this process (a wrong key)."""


@dataclass(frozen=True)
class Endpoint:
    """Where a library's owner listens, as ``owner.json`` says."""

    address: str
    family: str
    pid: int
    owner: str


class Channel:
    """One client's connection, as a handler sees it: JSON messages out; :attr:`closed` once
    the client went away (it was interrupted, or its output was closed)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._send_lock = threading.Lock()
        self.closed = threading.Event()

    def send(self, message: dict[str, Any]) -> None:
        """Send one message; BrokenPipeError once the client is gone."""
        data = json.dumps(message, ensure_ascii=False).encode("utf-8")
        with self._send_lock:
            if self.closed.is_set():
                raise BrokenPipeError("the client went away")
            try:
                self._conn.send_bytes(data)
            except OSError:
                self.closed.set()
                raise BrokenPipeError("the client went away") from None

    def watch_for_close(self) -> None:
        """Set :attr:`closed` when the client hangs up (a client sends nothing after its
        request, so anything readable means end of file)."""

        def wait() -> None:
            with contextlib.suppress(EOFError, OSError):
                self._conn.recv_bytes()
            self.closed.set()

        self._watcher = threading.Thread(target=wait, name="photoclip-owner-peer", daemon=True)
        self._watcher.start()

    def hang_up(self) -> None:
        """Close the connection, first waking the thread that waits for the client to hang up
        (a closed descriptor could be reused under a thread still reading it)."""
        self.closed.set()
        if FAMILY == "AF_UNIX":
            with contextlib.suppress(OSError):
                peer = socket.socket(fileno=os.dup(self._conn.fileno()))
                try:
                    peer.shutdown(socket.SHUT_RDWR)
                finally:
                    peer.close()
        watcher = getattr(self, "_watcher", None)
        if watcher is not None:
            watcher.join(2)
        self._conn.close()


Handler = Callable[[dict[str, Any], Channel], None]


# ----- where things are ----------------------------------------------------------------------


def _socket_address(library_dir: Path) -> str:
    if FAMILY == "AF_PIPE":
        digest = hashlib.sha1(str(library_dir).encode()).hexdigest()[:12]
        return rf"\\.\pipe\photoclip-{digest}-{secrets.token_hex(8)}"
    own = library_dir / SOCKET_DIR / "socket"
    if len(os.fsencode(own)) <= MAX_SOCKET_PATH:
        _private_dir(own.parent)
        return str(own)
    digest = hashlib.sha1(os.fsencode(library_dir.resolve())).hexdigest()[:16]
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = (Path(runtime) / "photoclip" if runtime and Path(runtime).is_dir()
            else Path(tempfile.gettempdir()) / f"photoclip-{os.getuid()}")
    _private_dir(base)
    return str(base / f"{digest}.sock")


def _private_dir(folder: Path) -> None:
    """Make ``folder`` (mode 0700), or check that one already there is this user's alone."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = folder.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        raise PermissionError(f"{folder} is not a folder of this user's: no owner endpoint")
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(folder, 0o700)


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file only this user can read (0600), atomically."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def read_endpoint(library_dir: Path) -> Endpoint | None:
    """The endpoint ``owner.json`` names, or None (no owner, or a file half written)."""
    try:
        info = json.loads((library_dir / ENDPOINT_FILE).read_text(encoding="utf-8"))
        return Endpoint(str(info["address"]), str(info["family"]), int(info["pid"]),
                        str(info.get("owner", "photoclip")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remove_stale(library_dir: Path) -> None:
    """Remove an endpoint left by an owner that died. Call only while holding the lock: then no
    other process can be the owner, so whatever is there is stale."""
    endpoint = read_endpoint(library_dir)
    for name in (ENDPOINT_FILE, KEY_FILE):
        with contextlib.suppress(OSError):
            (library_dir / name).unlink()
    if endpoint is not None and endpoint.family == "AF_UNIX":
        with contextlib.suppress(OSError):
            os.unlink(endpoint.address)


# ----- the client side -----------------------------------------------------------------------


def connect(library_dir: Path) -> tuple[Connection, Endpoint] | None:
    """A connection to the library's owner, or None when no owner answers (none started, or it
    died: the caller opens the library itself). OwnerRefused: one answers but refused the key."""
    endpoint = read_endpoint(library_dir)
    if endpoint is None or endpoint.family != FAMILY:
        return None
    try:
        key = (library_dir / KEY_FILE).read_bytes()
    except OSError:
        return None
    try:
        conn = Client(endpoint.address, endpoint.family, authkey=key)
    except (FileNotFoundError, ConnectionRefusedError, ConnectionResetError):
        log.debug("the owner named in %s does not answer: it is gone", ENDPOINT_FILE)
        return None
    except AuthenticationError as exc:
        raise OwnerRefused(f"the library's owner (pid {endpoint.pid}) refused this process: "
                           f"{exc}") from None
    except OSError as exc:  # e.g. a pipe busy on Windows, a socket path gone stale
        log.debug("cannot reach the owner at %s: %s", endpoint.address, exc)
        return None
    return conn, endpoint


def recv_json(conn: Connection) -> dict[str, Any]:
    """One JSON message from a connection (EOFError when it closed)."""
    message = json.loads(conn.recv_bytes().decode("utf-8"))
    if not isinstance(message, dict):
        raise ValueError("not a message")
    return message


def send_json(conn: Connection, message: dict[str, Any]) -> None:
    conn.send_bytes(json.dumps(message, ensure_ascii=False).encode("utf-8"))


# ----- the owner side ------------------------------------------------------------------------


class OwnerServer:
    """Listen for other processes on behalf of the lock holder; each authenticated request goes
    to ``handler`` on a thread of its own."""

    def __init__(self, library_dir: Path, handler: Handler, owner: str = "photoclip") -> None:
        self.library_dir = library_dir
        self.handler = handler
        self.owner = owner
        self.address = ""
        self._key = b""
        self._listener: Listener | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        """Listen, then say where (``owner.json``): a client never finds an endpoint that is
        not ready. Call only while holding the library lock."""
        remove_stale(self.library_dir)
        self._key = secrets.token_bytes(32)
        _write_private(self.library_dir / KEY_FILE, self._key)
        self.address = _socket_address(self.library_dir)
        if FAMILY == "AF_UNIX":
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.address)  # left by a dead owner: we hold the lock
        self._listener = Listener(self.address, FAMILY, backlog=16)
        if FAMILY == "AF_UNIX":
            os.chmod(self.address, 0o600)
        info = {"address": self.address, "family": FAMILY, "pid": os.getpid(),
                "owner": self.owner}
        _write_private(self.library_dir / ENDPOINT_FILE, json.dumps(info).encode())
        self._thread = threading.Thread(target=self._accept_loop, name="photoclip-owner",
                                        daemon=True)
        self._thread.start()
        log.info("serving other photoclip processes on %s", self.address)

    def stop(self) -> None:
        """Stop listening and remove the endpoint (requests in flight finish on their own)."""
        if self._listener is None:
            return
        self._stopping.set()
        endpoint = read_endpoint(self.library_dir)
        if endpoint is not None and endpoint.pid == os.getpid():
            for name in (ENDPOINT_FILE, KEY_FILE):
                with contextlib.suppress(OSError):
                    (self.library_dir / name).unlink()
        with contextlib.suppress(OSError):  # wake accept() up
            Client(self.address, FAMILY).close()
        if self._thread is not None:
            self._thread.join(5)
        with contextlib.suppress(OSError):
            self._listener.close()  # removes the socket file
        self._listener = None

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                conn = self._listener.accept()
            except OSError:
                if self._stopping.is_set():
                    break
                log.exception("accepting a client failed")
                continue
            if self._stopping.is_set():
                conn.close()
                break
            threading.Thread(target=self._serve, args=(conn,), name="photoclip-owner-request",
                             daemon=True).start()

    def _serve(self, conn: Connection) -> None:
        try:
            deliver_challenge(conn, self._key)  # the peer proves it read owner.key ...
            answer_challenge(conn, self._key)  # ... and this process proves it too
            request = recv_json(conn)
        except (AuthenticationError, EOFError, OSError, ValueError) as exc:
            log.warning("refused a connection to the library's owner: %s", exc)
            conn.close()
            return
        channel = Channel(conn)
        channel.watch_for_close()
        try:
            self.handler(request, channel)
        except BrokenPipeError:
            log.debug("the client went away before its answer")
        except Exception:
            log.exception("serving a request failed")
            with contextlib.suppress(BrokenPipeError):
                channel.send({"err": "photoclip: the library's owner failed on this request "
                                     "(see its log)\n"})
                channel.send({"exit": 1})
        finally:
            channel.hang_up()


def socket_family_available() -> bool:
    """Whether this platform has the endpoint's family (AF_UNIX is missing on old Windows)."""
    return FAMILY == "AF_PIPE" or hasattr(socket, "AF_UNIX")
