"""The photo view: a large upright preview, file facts and EXIF, tags, albums and actions."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from PySide6.QtCore import QObject, QPoint, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QImageReader, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from photoclip.gui.flow_layout import FlowLayout
from photoclip.gui.i18n import N_, format_date, tr
from photoclip.gui.photo_text import PhotoTextBox
from photoclip.gui.queries import PhotoDetails
from photoclip.gui.regions import RegionPreview
from photoclip.gui.reveal import reveal_in_file_manager
from photoclip.gui.tags_model import PhotoTagsModel, SourceRole, TagRole
from photoclip.gui.tasks import HIGH, TaskLane

PREVIEW_PX = 2048


class _PreviewLoader(QObject):
    """Decode a preview (EXIF orientation applied) on a lane of its own; newest request wins
    (a request not yet started is dropped when another comes)."""

    loaded = Signal(str, QImage)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lane = TaskLane("photoclip-preview", self)

    def load(self, path: str) -> None:
        def run() -> tuple[str, QImage]:
            reader = QImageReader(path)
            reader.setAutoTransform(True)
            size = reader.size()
            if size.isValid() and max(size.width(), size.height()) > PREVIEW_PX:
                reader.setScaledSize(size.scaled(QSize(PREVIEW_PX, PREVIEW_PX),
                                                 Qt.AspectRatioMode.KeepAspectRatio))
            image = reader.read()
            if image.isNull():  # a format Qt cannot read (HEIC, RAW): Pillow via the core
                image = _pillow_preview(path)
            return path, image

        def done(result: tuple[str, QImage]) -> None:
            with contextlib.suppress(RuntimeError):  # the view is gone
                self.loaded.emit(*result)

        self._lane.submit(run, done, priority=HIGH, key="preview")


def _pillow_preview(path: str) -> QImage:
    try:
        from photoclip.core.images import load_image

        image, _ = load_image(path, min_side=PREVIEW_PX // 2)
        image = image.convert("RGB")
        data = image.tobytes()
        q = QImage(data, image.width, image.height, image.width * 3, QImage.Format.Format_RGB888)
        return q.copy()
    except Exception:
        return QImage()


class PhotoView(QWidget):
    """Shows one photo; emits requests the main window carries out through the backend."""

    back = Signal()
    more_like_this = Signal(int)
    tag_action = Signal(str, str)  # action (add|remove|accept|reject), tag
    album_add = Signal(str, bool)  # album, create it first
    classify = Signal(str)  # labels, comma separated
    region_clicked = Signal(object, QPoint)  # core.types.Region, the click's global position
    photo_shown = Signal(int)  # a photo's details were shown (again): its regions may follow

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoView")
        self.details: PhotoDetails | None = None
        self._image = QImage()
        self._loader = _PreviewLoader(self)
        self._loader.loaded.connect(self._preview_loaded)

        self.preview = RegionPreview(self)
        self.preview.setObjectName("photoPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.preview.setMinimumSize(200, 200)

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
        actions = FlowLayout()  # wraps in a narrow window (QT_SCALE_FACTOR=2 on a small screen)
        for b in (self.back_button, self.more_button, self.open_button, self.reveal_button,
                  self.regions_button):
            actions.addWidget(b)
        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addLayout(actions)
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

        split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(split)

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
            self._image = QImage()
            self.preview.setText(tr("Loading…"))
            self._loader.load(details.path)
        self.photo_shown.emit(details.photo_id)

    def _preview_loaded(self, path: str, image: QImage) -> None:
        if self.details is None or path != self.details.path:
            return
        self._image = image
        if image.isNull():
            self.preview.setText(tr("This photo cannot be shown."))
        self._scale_preview()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._scale_preview()

    def _scale_preview(self) -> None:
        if self._image.isNull():
            return
        pix = QPixmap.fromImage(self._image).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.preview.setPixmap(pix)

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
