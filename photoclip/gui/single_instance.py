"""One app per user and library: a second launch brings the running window forward and exits.

A :class:`QLockFile` decides which process is primary (Qt removes a lock whose process died, so
a crash never locks the user out), and the primary listens on a :class:`QLocalServer` for the
others' "activate" messages. The server's socket file is removed before listening, so a socket
left by a crashed primary cannot get in the way either. Keys are per user and per
``PHOTOCLIP_HOME`` (see :func:`instance_key`): two libraries may be open side by side.

Usage in the app's ``main()``::

    instance = SingleInstance(instance_key(paths))
    if not instance.is_primary():
        instance.notify_primary()
        return 0
    instance.activated.connect(lambda: bring_to_front(window))
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

__all__ = ["SingleInstance", "bring_to_front", "instance_key"]

ACTIVATE = b"activate\n"


def instance_key(home: str | Path | None = None) -> str:
    """A short name unique to this user and this library home (``PHOTOCLIP_HOME`` by default)."""
    if home is None:
        from photoclip.config import app_paths

        home = os.environ.get("PHOTOCLIP_HOME") or app_paths().data
    try:
        user = getpass.getuser()
    except Exception:  # no login name (some containers)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    digest = hashlib.sha1(f"{user}\0{Path(home).expanduser().resolve()}".encode()).hexdigest()
    # Unix socket paths are limited to ~100 bytes: keep the name short
    return f"photoclip-{digest[:16]}"


class SingleInstance(QObject):
    """Primary/secondary detection for ``key``; the primary emits :attr:`activated`."""

    activated = Signal()  # a second launch asked the running app to come forward

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self._lock = QLockFile(str(Path(tempfile.gettempdir()) / f"{key}.lock"))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
        self._server: QLocalServer | None = None
        self._primary: bool | None = None
        self._sockets: set[QLocalSocket] = set()

    def is_primary(self) -> bool:
        """Whether this process is the first; if so it starts listening for the others."""
        if self._primary is None:
            self._primary = self._become_primary()
        return self._primary

    def _become_primary(self) -> bool:
        if not self._lock.tryLock(100):
            if self._lock.error() != QLockFile.LockError.LockFailedError:
                log.warning("Cannot create the instance lock (%s); running anyway",
                            self._lock.error())
                return True
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(self.key)  # a socket left by a crashed primary
        if not server.listen(self.key):
            log.warning("Single-instance server failed (%s); second launches will not "
                        "find this window", server.errorString())
            return True
        server.newConnection.connect(self._on_connection)
        self._server = server
        log.debug("Primary instance listening on %s", server.fullServerName())
        return True

    def notify_primary(self, timeout_ms: int = 3000) -> bool:
        """Ask the primary to show its window; False if no primary answered in time.

        Retries while the primary holds the lock but is not yet listening (still starting up).
        """
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            socket = QLocalSocket()
            socket.connectToServer(self.key)
            if socket.waitForConnected(min(500, timeout_ms)):
                socket.write(ACTIVATE)
                ok = socket.waitForBytesWritten(1000)
                socket.disconnectFromServer()
                if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
                    socket.waitForDisconnected(500)
                return ok
            if time.monotonic() >= deadline:
                log.info("No running photoclip answered on %s: %s", self.key,
                         socket.errorString())
                return False
            time.sleep(0.05)

    @Slot()
    def _on_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._sockets.add(socket)
            socket.readyRead.connect(self._on_ready_read)
            socket.disconnected.connect(self._on_disconnected)
            self._read(socket)

    @Slot()
    def _on_ready_read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    @Slot()
    def _on_disconnected(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)
            self._sockets.discard(socket)
            socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        while socket.canReadLine():
            line = bytes(socket.readLine().data())
            if line == ACTIVATE:
                log.info("Another launch asked this window to come forward")
                self.activated.emit()

    def close(self) -> None:
        """Stop being primary (the app calls this on quit; a crash is handled too)."""
        for socket in list(self._sockets):
            socket.readyRead.disconnect(self._on_ready_read)
            socket.disconnected.disconnect(self._on_disconnected)
            socket.abort()
            socket.deleteLater()
        self._sockets.clear()
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
        if self._primary:
            self._lock.unlock()
        self._primary = None


def bring_to_front(window: QWidget) -> None:
    """Show, un-minimise, raise and focus ``window`` (what :attr:`activated` should do)."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
