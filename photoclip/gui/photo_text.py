"""The photo view's "Text in the photo" box: the lines a plugin read in the photo (its ``text``
regions, the ones drawn over the photo), selectable and copyable, with the words of the search
that led here highlighted."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from photoclip.core.types import Region
from photoclip.gui.i18n import tr

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
HIGHLIGHT = "background-color: #ffe066; color: #000"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def query_words(query: str) -> list[str]:
    """The words of a query to look for in the text (operators' names left out: the value of
    ``text:"wifi password"`` counts), longest first."""
    query = re.sub(r"\b[a-z][a-z0-9-]*:(?=[\"'\w])", " ", query)
    words = {w for w in _WORD.findall(_fold(query)) if len(w) > 1 or not w.isascii()}
    return sorted(words, key=lambda w: (-len(w), w))


def highlighted(line: str, words: Sequence[str]) -> str:
    """``line`` as HTML with every occurrence of ``words`` marked (case and width folded; a
    Latin word whole, a CJK word anywhere)."""
    if not words:
        return html.escape(line)
    folded = _fold(line)
    if len(folded) != len(line):  # folding changed the length: mark nothing rather than wrong
        return html.escape(line)
    spans: list[tuple[int, int]] = []
    for w in words:
        pattern = re.escape(w) if not w.isascii() else rf"(?<![^\W_]){re.escape(w)}(?![^\W_])"
        for m in re.finditer(pattern, folded):
            if not any(a < m.end() and m.start() < b for a, b in spans):
                spans.append((m.start(), m.end()))
    out, at = [], 0
    for a, b in sorted(spans):
        out.append(html.escape(line[at:a]))
        out.append(f'<span style="{HIGHLIGHT}">{html.escape(line[a:b])}</span>')
        at = b
    out.append(html.escape(line[at:]))
    return "".join(out)


class PhotoTextBox(QGroupBox):
    """The lines of text in the shown photo (hidden when it has none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("Text in the photo"), parent)
        self.setObjectName("photoText")
        self.lines: list[str] = []
        self.query = ""
        self.label = QLabel(self)
        self.label.setObjectName("photoTextLines")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.copy_button = QPushButton(tr("Copy text"), self)
        self.copy_button.clicked.connect(self.copy)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.setVisible(False)

    def set_query(self, query: str) -> None:
        """The search that led to the photo: its words are highlighted."""
        self.query = query
        self._render()

    def set_regions(self, regions: Sequence[Region]) -> None:
        """Show the text regions' labels, in the plugin's reading order."""
        self.lines = [r.label for r in regions if r.kind == "text" and r.label]
        self._render()

    def plain_text(self) -> str:
        return "\n".join(self.lines)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.plain_text())

    def _render(self) -> None:
        words = query_words(self.query)
        self.label.setText("<br>".join(highlighted(line, words) for line in self.lines))
        self.setVisible(bool(self.lines))
