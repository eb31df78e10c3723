"""Text in photos in the desktop app, end to end: the real ocr plugin (rapidocr models) reads a
rendered card in a real library behind the real window (offscreen); a search for a word in it
finds the card and says why; the photo view shows the text, selectable, the searched word
highlighted, boxes drawn over the photo, and copies it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("rapidocr", reason='needs rapidocr (pip install "photoclip[ocr]")')

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from photoclip.gui.photo_text import highlighted, query_words
from photoclip.gui.results_model import PhotoIdRole

LINES = ["MENU OF THE DAY", "WIFI PASSWORD 4217"]


def test_highlighting_rules() -> None:
    assert query_words('text:"wifi password" cafe') == ["password", "cafe", "wifi"]
    assert query_words("发票 a") == ["发票"]
    assert highlighted("WiFi: Password!", ["wifi"]) == (
        '<span style="background-color: #ffe066; color: #000">WiFi</span>: Password!')
    assert highlighted("wifis <b>", ["wifi"]) == "wifis &lt;b&gt;"  # whole words only
    assert "发票</span>" in highlighted("增值税发票", ["发票"])


def test_photo_view_shows_the_text_with_the_search_highlighted(
    qtbot, tmp_path: Path, datasets_dir: Path, write_settings, make_window, wait_indexed
) -> None:
    from PIL import Image, ImageDraw, ImageFont

    folder = tmp_path / "photos"
    folder.mkdir()
    card = Image.new("RGB", (760, 260), (240, 238, 230))
    draw = ImageDraw.Draw(card)
    for n, line in enumerate(LINES):
        draw.text((40, 40 + 90 * n), line, fill=(20, 20, 30),
                  font=ImageFont.load_default(size=44))
    card.save(folder / "card.jpg", quality=92)
    for src in sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:2]:
        shutil.copy2(src, folder / src.name)
    write_settings([folder], enabled_plugins=["ocr"])
    window = make_window()
    wait_indexed(window, 3, timeout=180_000)  # idle: the text analyzer has run too

    qtbot.keyClicks(window.search_bar.edit, "wifi")  # a debounced search
    lib = window.backend.library

    def card_first() -> None:  # the search's answer (browsing shows the card first too)
        assert window._shown is not None and window._shown.text == "wifi"
        assert window.results.rowCount() == 3
        first = window.results.index(0).data(PhotoIdRole)
        assert Path(lib.browse.record(first).path).name == "card.jpg"
    qtbot.waitUntil(card_first, timeout=30_000)

    window.open_photo(window.results.index(0))
    view = window.photo_view
    box = view.text_box
    qtbot.waitUntil(lambda: box.lines == LINES and view.preview.has_image(), timeout=30_000)
    assert box.isVisible()
    assert box.label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert '<span style="background-color: #ffe066; color: #000">WIFI</span>' in (
        box.label.text())
    assert "MENU" in box.label.text() and "MENU</span>" not in box.label.text()
    texts = [r for r in view.preview.regions if r.kind == "text"]
    assert [r.label for r in texts] == LINES  # the same lines, drawn as boxes over the photo
    assert all(view.preview.rect_of(r) is not None for r in texts)
    box.copy_button.click()
    assert QGuiApplication.clipboard().text() == "\n".join(LINES)
