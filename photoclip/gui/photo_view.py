"""The photo view: a large upright preview, file facts and EXIF, tags, albums and actions."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QActionGroup, QDesktopServices, QImage, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from photoclip.gui.i18n import N_, format_date, tr
from photoclip.gui.photo_text import PhotoTextBox
from photoclip.gui.queries import PhotoDetails
from photoclip.gui.rating_keys import stars_text
from photoclip.gui.reveal import reveal_in_file_manager
from photoclip.gui.tags_model import PhotoTagsModel, SourceRole, TagRole
from photoclip.gui.viewer_canvas import ViewerCanvas
from photoclip.gui.viewer_facts import FactsOverlay
from photoclip.gui.viewer_images import FULL, SCREEN, Decoded, ViewerImages

SLIDESHOW_CHOICES = (2, 3, 5, 10, 20)  # seconds

class PhotoView(QWidget):
    """Shows one photo (zoom, pan, rotation, facts overlay) beside its details; emits requests
    the main window carries out through the backend."""

    back = Signal()
    more_like_this = Signal(int)
    tag_action = Signal(str, str)  # action (add|remove|accept|reject), tag
    album_add = Signal(str, bool)  # album, create it first
    classify = Signal(str)  # labels, comma separated
    region_clicked = Signal(object, QPoint)  # core.types.Region, the click's global position
    photo_shown = Signal(int)  # a photo's details were shown (again): its regions may follow
    slideshow_interval = Signal(float)  # the user chose the slideshow's interval (seconds)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoView")
        self.details: PhotoDetails | None = None
        self.images = ViewerImages(parent=self)
        self.images.ready.connect(self._level_ready)

        self.preview = ViewerCanvas(self)
        self.preview.setObjectName("photoPreview")
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.preview.setMinimumSize(200, 200)
        self.facts = FactsOverlay(self.preview)
        self._rotations: dict[str, int] = {}  # the view's turn of each photo, while the app runs
        self.preview.view_changed.connect(self._remember_rotation)
        self.preview.view_changed.connect(  # resized too: screen levels follow its size
            lambda: self.images.set_target(self.preview.size() * self.preview.devicePixelRatioF()))
        self.note_label = QLabel(self.preview)
        self.note_label.setObjectName("viewerNote")
        self.note_label.setStyleSheet("background: rgba(0,0,0,170); color: white; "
                                      "padding: 4px 10px; border-radius: 4px;")
        self.note_label.hide()
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(2500)
        self._note_timer.timeout.connect(self.note_label.hide)

        self.back_button = QPushButton(tr("← Back"), self)
        self.back_button.setToolTip(tr("Back to the photos (Esc)"))
        self.more_button = QPushButton(tr("More like this"), self)
        self.more_button.setObjectName("moreLikeThis")
        self.open_button = QPushButton(tr("Open"), self)
        self.open_button.setToolTip(tr("Open in the system's photo viewer"))
        self.reveal_button = QPushButton(tr("Show in folder"), self)
        self.regions_button = QPushButton(tr("Faces && text"), self)
        self.regions_button.setObjectName("regionsToggle")
        self.regions_button.setCheckable(True)
        self.regions_button.setChecked(True)
        self.regions_button.setToolTip(tr("Show or hide the faces and text found in the photo; "
                                          "click one to name it or copy it"))
        self._viewer_buttons()

        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.info = QFormLayout()
        self.exif = QFormLayout()
        self.text_box = PhotoTextBox(self)

        self.tags_model = PhotoTagsModel(self)
        self.tags_view = QListView(self)
        self.tags_view.setObjectName("photoTags")
        self.tags_view.setModel(self.tags_model)
        self.tags_view.setMaximumHeight(160)
        self.accept_button = QPushButton(tr("Accept"), self)
        self.reject_button = QPushButton(tr("Reject"), self)
        self.remove_button = QPushButton(tr("Remove"), self)
        self.new_tag = QLineEdit(self)
        self.new_tag.setPlaceholderText(tr("Add a tag and press Enter"))

        self.albums_label = QLabel(self)
        self.albums_label.setWordWrap(True)
        self.album_choice = QComboBox(self)
        self.album_choice.setEditable(True)
        self.album_choice.lineEdit().setPlaceholderText(tr("Album name"))
        self.album_button = QPushButton(tr("Add to album"), self)

        self.labels_edit = QLineEdit(self)
        self.labels_edit.setObjectName("classifyLabels")
        self.labels_edit.setPlaceholderText(tr("cat, dog, car, beach"))
        self.classify_button = QPushButton(tr("Ask"), self)
        self.classify_result = QLabel(self)
        self.classify_result.setObjectName("classifyResult")
        self.classify_result.setWordWrap(True)

        self._layout()
        self.back_button.clicked.connect(self.back)
        self.more_button.clicked.connect(self._more)
        self.open_button.clicked.connect(self.open_external)
        self.reveal_button.clicked.connect(self.reveal)
        self.regions_button.toggled.connect(self.preview.set_shown)
        self.preview.region_clicked.connect(self.region_clicked)
        self.accept_button.clicked.connect(lambda: self._selected_tag("accept"))
        self.reject_button.clicked.connect(lambda: self._selected_tag("reject"))
        self.remove_button.clicked.connect(lambda: self._selected_tag("remove"))
        self.new_tag.returnPressed.connect(self._add_tag)
        self.album_button.clicked.connect(self._add_album)
        self.labels_edit.returnPressed.connect(self._classify)
        self.classify_button.clicked.connect(self._classify)
        self.tags_view.selectionModel().currentChanged.connect(lambda *_: self._tag_buttons())
        self._tag_buttons()

    def _layout(self) -> None:
        # a tool bar: what does not fit a narrow window goes behind its » button
        self.action_bar = QToolBar(self)
        self.action_bar.setObjectName("photoActions")
        for b in (self.back_button, self.more_button, self.open_button, self.reveal_button,
                  self.regions_button):
            self.action_bar.addWidget(b)
        spacer = QWidget(self.action_bar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.action_bar.addWidget(spacer)
        for b in (self.fit_button, self.actual_button, self.rotate_button, self.facts_button,
                  self.slideshow_button, self.full_screen_button):
            self.action_bar.addWidget(b)
        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.action_bar)
        lv.addWidget(self.preview, 1)

        panel = QWidget(self)
        pv = QVBoxLayout(panel)
        pv.addWidget(self.title)
        pv.addWidget(self.text_box)
        info_box = QGroupBox(tr("File"), panel)
        info_box.setLayout(self.info)
        pv.addWidget(info_box)
        exif_box = QGroupBox(tr("Camera (EXIF)"), panel)
        exif_box.setLayout(self.exif)
        pv.addWidget(exif_box)
        tags_box = QGroupBox(tr("Tags"), panel)
        tv = QVBoxLayout(tags_box)
        tv.addWidget(self.tags_view)
        row = QHBoxLayout()
        for b in (self.accept_button, self.reject_button, self.remove_button):
            row.addWidget(b)
        tv.addLayout(row)
        tv.addWidget(self.new_tag)
        pv.addWidget(tags_box)
        albums_box = QGroupBox(tr("Albums"), panel)
        av = QVBoxLayout(albums_box)
        av.addWidget(self.albums_label)
        arow = QHBoxLayout()
        arow.addWidget(self.album_choice, 1)
        arow.addWidget(self.album_button)
        av.addLayout(arow)
        pv.addWidget(albums_box)
        ask_box = QGroupBox(tr("What is in this photo?"), panel)
        qv = QVBoxLayout(ask_box)
        qrow = QHBoxLayout()
        qrow.addWidget(self.labels_edit, 1)
        qrow.addWidget(self.classify_button)
        qv.addLayout(qrow)
        qv.addWidget(self.classify_result)
        pv.addWidget(ask_box)
        pv.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(panel)
        scroll.setMinimumWidth(260)
        self.side_panel = scroll

        split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self._split = split
        self._panel_sized = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(split)
        self._outer = outer

    def _viewer_buttons(self) -> None:
        """Fit, 100%, rotate, facts, slideshow (with its interval), full screen: the canvas
        keeps the keyboard (the buttons take no focus)."""
        canvas = self.preview

        def button(text: str, tip: str) -> QToolButton:
            b = QToolButton(self)
            b.setText(text)
            b.setToolTip(tip)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            return b

        self.fit_button = button(tr("Fit"), tr("The whole photo (0)"))
        self.fit_button.clicked.connect(canvas.fit)
        self.actual_button = button("100%", tr("One photo pixel per screen pixel (1)"))
        self.actual_button.clicked.connect(lambda: canvas.actual_size())
        self.rotate_button = button(tr("Rotate"), tr("Turn the view, not the file (R, Shift+R)"))
        self.rotate_button.clicked.connect(lambda: canvas.rotate(90))
        self.facts_button = button(tr("Info"), tr("The photo's facts over it (I)"))
        self.facts_button.setCheckable(True)
        self.facts_button.toggled.connect(self._facts_shown)
        self.slideshow_button = button(tr("Slideshow"), tr("Start or stop the slideshow (S); "
                                                           "any key or click pauses it"))
        self.full_screen_button = button(tr("Full screen"), tr("The photo alone (F, F11; "
                                                               "Esc goes back)"))
        self.interval_menu = QMenu(self)
        group = QActionGroup(self)
        for seconds in SLIDESHOW_CHOICES:
            act = self.interval_menu.addAction(tr("Every {seconds} s").format(seconds=seconds))
            act.setCheckable(True)
            act.setData(float(seconds))
            group.addAction(act)
            act.triggered.connect(lambda _=False, s=seconds: self.slideshow_interval.emit(
                float(s)))
        self.slideshow_button.setMenu(self.interval_menu)  # the arrow: the interval
        self.slideshow_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.check_interval(4.0)

    def check_interval(self, seconds: float) -> None:
        """Tick the interval nearest ``seconds`` in the slideshow's menu."""
        acts = self.interval_menu.actions()
        min(acts, key=lambda a: abs(a.data() - seconds)).setChecked(True)

    # ----- the viewer ------------------------------------------------------------------------

    def open_path(self, path: str, preview: QImage | None = None,
                  neighbours: list[str] | None = None) -> None:
        """Show ``path`` now (its thumbnail ``preview`` until decoded), the ``neighbours``
        decoded next; its details (:meth:`show_photo`) follow."""
        if (top := self.window().layout()) is not None:
            top.activate()  # the size it shows at now (the grid's bars may have just gone)
        self.images.set_target(self.preview.size() * self.preview.devicePixelRatioF())
        if path != self.preview.path or not self.preview.has_image():
            self.preview.set_photo(path, preview, self._rotations.get(path, 0))
            for level in (SCREEN, FULL):
                if (d := self.images.get(path, level)) is not None:
                    self._level_ready(d)
        self.images.show(path, neighbours or [])
        if self.details is None or self.details.path != path:
            self.facts.show_facts(None)

    def _remember_rotation(self) -> None:
        path, turn = self.preview.path, self.preview.rotation
        if path and (turn or path in self._rotations):
            self._rotations[path] = turn

    def _level_ready(self, d: Decoded) -> None:
        if d.error:
            self.preview.set_failed(d.path, tr("This photo cannot be shown.") + "\n" + d.error)
        else:
            self.preview.set_level(d.path, d.level, d.image, d.full_size)

    def release(self) -> None:
        """Let go of the decoded images (back to the grid)."""
        self.images.clear()
        self.preview.set_photo("", None)

    def toggle_facts(self) -> None:
        self.facts_button.setChecked(not self.facts_button.isChecked())

    def _facts_shown(self, on: bool) -> None:
        self.facts.setVisible(on)
        if on:
            self.facts.show_facts(self.details)
            self.facts.raise_()

    def set_immersive(self, on: bool) -> None:
        """Full screen: the photo alone (no buttons, no details panel)."""
        self.action_bar.setVisible(not on)
        self.side_panel.setVisible(not on)
        self._outer.setContentsMargins(*((0, 0, 0, 0) if on else (4, 4, 4, 4)))

    def note(self, text: str) -> None:
        """A short note over the top of the photo, for a moment."""
        self.note_label.setText(text)
        self.note_label.adjustSize()
        self.note_label.move((self.preview.width() - self.note_label.width()) // 2, 12)
        self.note_label.show()
        self.note_label.raise_()
        self._note_timer.start()

    # ----- showing a photo -------------------------------------------------------------------

    def show_photo(self, details: PhotoDetails) -> None:
        """Show a photo's facts; the preview follows when decoded."""
        same = self.details is not None and self.details.path == details.path
        tags_changed = not same or self.details is None or self.details.tags != details.tags
        self.details = details
        self.title.setText(os.path.basename(details.path))
        _fill(self.info, {tr(k): v for k, v in _file_facts(details).items()})
        _fill(self.exif, details.exif or {"": tr("none in this file")})
        if tags_changed:  # a refresh with the same tags keeps the user's selection in the list
            self.tags_model.set_tags(details.tags)
        albums = details.albums + details.smart_albums  # smart ones too, as `photoclip photo`
        self.albums_label.setText(tr("In: {albums}").format(albums=", ".join(albums)) if albums
                                  else tr("In no album yet"))
        current = self.album_choice.currentText()
        self.album_choice.clear()
        self.album_choice.addItems(details.all_albums)
        self.album_choice.setEditText(current)
        self._tag_buttons()
        if not same:
            self.classify_result.clear()
            self.preview.set_regions([], None)
            self.text_box.set_regions([])
            if self.preview.path != details.path:
                self.open_path(details.path)
        if self.facts.isVisible():
            self.facts.show_facts(details)
        self.photo_shown.emit(details.photo_id)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.images.set_target(self.preview.size() * self.preview.devicePixelRatioF())
        self.facts.place()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._panel_sized:  # once laid out: a width the user drags to is theirs
            QTimer.singleShot(0, self._size_panel)

    def _size_panel(self) -> None:
        total = sum(self._split.sizes())
        if self._panel_sized or total <= 0:
            return
        self._panel_sized = True
        self._split.setSizes([total - (w := self._panel_width()), w])

    def _panel_width(self) -> int:
        """The side panel's first width: its contents' without a horizontal scroll bar where
        the window has room (at most half of it), never under its minimum (a narrow window)."""
        panel = self.side_panel
        bar = panel.verticalScrollBar().sizeHint().width()
        inner = panel.widget()
        wanted = (max(inner.sizeHint().width(), inner.minimumSizeHint().width()) + bar
                  + 2 * panel.frameWidth())
        return max(panel.minimumWidth(), min(wanted, self.width() // 2))

    def show_regions(self, photo_id: int, regions: list[Any]) -> None:
        """Draw these regions (``core.types.Region``) over the photo, if it is still shown."""
        if self.details is not None and self.details.photo_id == photo_id:
            size = (self.details.width, self.details.height) if self.details.width else None
            self.preview.set_regions(regions, size)  # type: ignore[arg-type]
            self.text_box.set_regions(regions)
            self.regions_button.setText(tr("Faces && text ({count})").format(count=len(regions))
                                        if regions else tr("Faces && text"))

    def set_query(self, query: str) -> None:
        """The search that led to the photos: its words are highlighted in the photo's text."""
        self.text_box.set_query(query)

    def show_classification(self, results: list[tuple[str, float]]) -> None:
        self.classify_result.setText(
            "\n".join(f"{label}: {p:.0%}" for label, p in results[:10]) or tr("No labels"))

    # ----- actions ---------------------------------------------------------------------------

    def _more(self) -> None:
        if self.details is not None:
            self.more_like_this.emit(self.details.photo_id)

    def _selected_tag(self, action: str) -> None:
        index = self.tags_view.currentIndex()
        if index.isValid():
            self.tag_action.emit(action, index.data(TagRole))

    def _tag_buttons(self) -> None:
        index = self.tags_view.currentIndex()
        source: Any = index.data(SourceRole) if index.isValid() else None
        self.accept_button.setEnabled(source == "auto")
        self.reject_button.setEnabled(source == "auto")
        self.remove_button.setEnabled(source == "user")

    def _add_tag(self) -> None:
        tag = self.new_tag.text().strip()
        if tag:
            self.new_tag.clear()
            self.tag_action.emit("add", tag)

    def _add_album(self) -> None:
        name = self.album_choice.currentText().strip()
        if name and self.details is not None:
            self.album_add.emit(name, name not in self.details.all_albums)

    def _classify(self) -> None:
        labels = self.labels_edit.text().strip()
        if labels:
            self.classify_result.setText(tr("Thinking…"))
            self.classify.emit(labels)

    def open_external(self) -> None:
        if self.details is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.details.path))

    def reveal(self) -> None:
        """Show the file in the system's file manager (selected where the platform allows)."""
        if self.details is not None:
            reveal_in_file_manager(self.details.path, self)


def _file_facts(d: PhotoDetails) -> dict[str, str]:
    facts = {
        N_("Folder"): os.path.dirname(d.path),
        N_("Date"): format_date(d.date),
        N_("Size"): f"{d.size / 1e6:.1f} MB" if d.size >= 1e6 else f"{d.size / 1e3:.0f} kB",
    }
    if d.width and d.height:
        facts[N_("Pixels")] = f"{d.width} × {d.height}"
    if d.format:
        facts[N_("Format")] = d.format
    if d.camera:
        facts[N_("Camera")] = d.camera
    if d.lens:
        facts[N_("Lens")] = d.lens
    if d.place:
        facts[N_("Place")] = d.place
    facts[N_("Rating")] = stars_text(d.rating, d.favourite)  # keys 0-5 and "." change it
    if d.error:
        facts[N_("Problem")] = d.error
    return facts


def _fill(form: QFormLayout, values: dict[str, str]) -> None:
    while form.rowCount():
        form.removeRow(0)
    for key, value in values.items():
        label = QLabel(value)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(key, label)
