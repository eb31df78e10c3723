""""Show in folder" on freedesktop systems: the ShowItems D-Bus call reaches a file manager on a
real (private) session bus; without one, the folder is opened instead."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import ClassInfo, QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from photoclip.gui.reveal import FILE_MANAGER, reveal_in_file_manager, show_items_arguments

pytestmark = pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="freedesktop only")


@ClassInfo({"D-Bus Interface": FILE_MANAGER})
class FakeFileManager(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.shown: list[list[str]] = []

    @Slot("QStringList", str)
    def ShowItems(self, uris: list[str], startup_id: str) -> None:  # the D-Bus method name
        self.shown.append(list(uris))


class OpenedUrls(QObject):
    """Catches QDesktopServices.openUrl for file: URLs (Qt's own hook for that)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toLocalFile())


@pytest.fixture()
def opened(qapp) -> Iterator[OpenedUrls]:
    catcher = OpenedUrls()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    yield catcher
    QDesktopServices.unsetUrlHandler("file")


@pytest.fixture()
def session_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if not (shutil.which("dbus-daemon") and shutil.which("gdbus")):
        pytest.skip("dbus-daemon and gdbus are needed")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--print-address=1", "--nofork"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        address = daemon.stdout.readline().strip() if daemon.stdout else ""
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address
    finally:
        daemon.terminate()
        daemon.wait(10)


def test_the_file_manager_shows_the_photo_selected(
    qtbot, qapp, tmp_path: Path, session_bus: str, opened: OpenedUrls
) -> None:
    from PySide6.QtDBus import QDBusConnection

    photo = tmp_path / "Sommer am Meer, Oma's 80 – ü.jpg"  # what a GVariant literal fears
    photo.write_bytes(b"")
    bus = QDBusConnection.connectToBus(session_bus, "photoclip-test-bus")
    manager = FakeFileManager()
    assert bus.registerObject("/org/freedesktop/FileManager1", manager,
                              QDBusConnection.RegisterOption.ExportAllSlots)
    assert bus.registerService(FILE_MANAGER)
    try:
        reveal_in_file_manager(str(photo))
        qtbot.waitUntil(lambda: bool(manager.shown), timeout=10_000)
        assert [QUrl(u).toLocalFile() for u in manager.shown[0]] == [str(photo)]
        qtbot.wait(200)
        assert opened.urls == []  # the folder was not opened as well
    finally:
        QDBusConnection.disconnectFromBus("photoclip-test-bus")


def test_without_a_file_manager_the_folder_opens(
    qtbot, tmp_path: Path, session_bus: str, opened: OpenedUrls
) -> None:
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"")
    reveal_in_file_manager(str(photo))  # nobody owns FileManager1 on this bus
    qtbot.waitUntil(lambda: bool(opened.urls), timeout=10_000)
    assert opened.urls == [str(tmp_path)]


def test_the_uri_is_safe_inside_the_gvariant_literal() -> None:
    args = show_items_arguments("/photos/it's [1] ü.jpg")
    literal = args[-2]
    assert literal.startswith("['file:///photos/") and literal.endswith("']")
    assert literal[2:-2].isascii() and "'" not in literal[2:-2] and " " not in literal
