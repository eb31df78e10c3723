"""People in the desktop app, end to end: real faces from the shared dataset, the real faces
plugin (dlib models), the real window offscreen, real threads. The sidebar's People section
(face thumbnails, counts, a person's photos on click, name, merge, hide), the photo view's face
boxes (drawn, toggled, clicked to name or to say "not this person")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("dlib", reason="the People view needs the faces plugin's dlib")

from PySide6.QtCore import QPoint, Qt

from photoclip.core.people import PersonSummary
from photoclip.gui.people_sidebar import PersonRole
from photoclip.gui.results_model import PhotoIdRole
from photoclip.gui.sidebar_model import KindRole

PHOTOS = [("Colin_Powell", 1), ("Colin_Powell", 2), ("Colin_Powell", 3),
          ("Serena_Williams", 1), ("Serena_Williams", 2)]


@pytest.fixture()
def faces_folder(tmp_path: Path, datasets_dir: Path) -> Path:
    folder = tmp_path / "faces"
    folder.mkdir()
    for who, k in PHOTOS:
        shutil.copy2(datasets_dir / "faces" / "lfw" / who / f"{who}_{k:04d}.jpg", folder)
    return folder


def people_entries(window) -> list[tuple[str, PersonSummary]]:
    """(text, person) of every People entry in the sidebar, in order."""
    model = window.sidebar_model
    out = []

    def walk(item) -> None:
        for r in range(item.rowCount()):
            child = item.child(r)
            if child.data(KindRole) == "person":
                out.append((child.text(), child.data(PersonRole), child))
            walk(child)

    walk(model.section("People"))
    return out


def action(menu, starts: str):
    found = [a for a in menu.actions() if a.text().startswith(starts)]
    assert found, [a.text() for a in menu.actions()]
    return found[0]


def test_people_sidebar_and_face_boxes(
    qtbot, faces_folder: Path, write_settings, make_window, wait_indexed
) -> None:
    write_settings([faces_folder], enabled_plugins=["faces"])
    window = make_window()
    wait_indexed(window, len(PHOTOS))
    panel = window.people

    # the People section: one entry per person, largest first, with a face thumbnail
    def listed() -> None:
        entries = people_entries(window)
        assert [p.photos for _, p, _ in entries] == [3, 2]
        assert all(not item.icon().isNull() for _, _, item in entries)
    qtbot.waitUntil(listed, timeout=60_000)
    (colin_text, colin, colin_item), (_, serena, _) = people_entries(window)
    assert colin_text == "Unnamed — 3" and colin.cover is not None
    assert window.sidebar_model.section("People").child(0).text().startswith("Unnamed — 2 groups")

    # choosing a person shows their photos (the person chip is the filter)
    window.sidebar._chosen(window.sidebar_model.indexFromItem(colin_item))
    qtbot.waitUntil(lambda: window.results.rowCount() == 3, timeout=20_000)
    assert window.search_bar.person_chip.isVisible()
    assert window.search_bar.person_chip.text().startswith("Person: Unnamed")
    colin_photos = {window.results.index(r).data(PhotoIdRole) for r in range(3)}
    lib = window.backend.library
    assert {Path(lib.browse.record(i).path).stem for i in colin_photos} == {
        f"Colin_Powell_000{k}" for k in (1, 2, 3)}

    # a photo of Colin: its face box is drawn over the photo, and can be hidden
    window.open_photo(window.results.index(0))
    view = window.photo_view
    qtbot.waitUntil(lambda: bool(view.preview.regions) and view.preview.has_image(),
                    timeout=20_000)
    (region,) = view.preview.regions
    assert (region.kind, region.label) == ("face", "Unnamed")
    rect = view.preview.rect_of(region)
    assert rect is not None and view.preview.rect().toRectF().contains(rect)
    assert view.regions_button.text() == "Faces && text (1)"
    centre = rect.center().toPoint()
    assert view.preview.region_at(centre) == region
    view.regions_button.click()  # the toggle: no boxes, nothing to click
    assert not view.preview.shown and view.preview.region_at(centre) is None
    view.regions_button.click()

    # click the face: name it (the question is answered here, as a user would)
    with qtbot.waitSignal(view.region_clicked, timeout=5_000):
        qtbot.mouseClick(view.preview, Qt.MouseButton.LeftButton, pos=centre)
    menu = panel.menu
    panel.ask_text = lambda *_: "Colin"
    action(menu, "Name this face").trigger()
    qtbot.waitUntil(lambda: view.preview.regions and view.preview.regions[0].label == "Colin",
                    timeout=20_000)
    qtbot.waitUntil(lambda: any(t.startswith("Colin — 1") for t, _, _ in
                                people_entries(window)), timeout=20_000)
    assert window.search_bar.person_chip.text().startswith("Person: Unnamed")

    # name the rest of the group the same: a name in use merges the two
    rest = next(p for _, p, _ in people_entries(window) if p.name is None and p.photos == 2
                and p.id != serena.id)
    panel.ask_text = lambda *_: "colin"
    action(panel.person_menu(rest), "Name").trigger()
    qtbot.waitUntil(lambda: [(p.name, p.photos) for _, p, _ in people_entries(window)][:1]
                    == [("Colin", 3)], timeout=20_000)
    # the chip follows the group shown into Colin (it said "Unnamed" of a person gone)
    qtbot.waitUntil(lambda: window.search_bar.person_chip.text().startswith("Person: Colin"),
                    timeout=20_000)
    qtbot.waitUntil(lambda: window.results.rowCount() == 3, timeout=20_000)
    assert window.stack.currentWidget() is view  # still looking at the photo
    qtbot.waitUntil(lambda: bool(view.preview.regions), timeout=20_000)

    # "not Colin" from the photo view: the face leaves Colin for good
    view.preview.region_clicked.emit(view.preview.regions[0], QPoint(0, 0))
    action(panel.menu, "Not Colin").trigger()
    qtbot.waitUntil(lambda: view.preview.regions and view.preview.regions[0].label != "Colin",
                    timeout=20_000)
    qtbot.waitUntil(lambda: [(p.name, p.photos) for _, p, _ in people_entries(window)][:1]
                    == [("Colin", 2)], timeout=20_000)

    # hide Serena: gone from the list; shown under "Hidden people" on request; back again
    action(panel.person_menu(serena), "Hide").trigger()
    qtbot.waitUntil(lambda: serena.id not in {p.id for _, p, _ in people_entries(window)},
                    timeout=20_000)
    action(panel.person_menu(None), "Show hidden people").trigger()
    qtbot.waitUntil(lambda: serena.id in {p.id for _, p, _ in people_entries(window)
                                          if p.hidden}, timeout=20_000)
    hidden = next(p for _, p, _ in people_entries(window) if p.id == serena.id)
    action(panel.person_menu(hidden), "Show again").trigger()
    qtbot.waitUntil(lambda: serena.id in {p.id for _, p, _ in people_entries(window)
                                          if not p.hidden}, timeout=20_000)
    # Edit › Undo takes "Show again" back, then the hiding
    qtbot.waitUntil(lambda: window.edits.busy == 0, timeout=20_000)
    assert window.edits.stack.undoText() == "Show a person again"
    window.edits.stack.undo()
    qtbot.waitUntil(lambda: serena.id not in {p.id for _, p, _ in people_entries(window)
                                              if not p.hidden}, timeout=20_000)
    window.edits.stack.undo()
    qtbot.waitUntil(lambda: serena.id in {p.id for _, p, _ in people_entries(window)
                                          if not p.hidden}, timeout=20_000)
    assert not window.banner.isVisible(), window.banner.text
    undo_people_decisions(qtbot, window)


def undo_people_decisions(qtbot, window) -> None:
    """Edit › Undo (Ctrl+Z) takes back "Not Colin", the merge by name and the naming of the
    face, one by one, as the sidebar and the photo's face box show; Redo does them again."""
    from PySide6.QtGui import QKeySequence

    view = window.photo_view
    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    undo, redo = action(edit, "&Undo"), action(edit, "&Redo")
    assert undo.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)

    def people() -> list[tuple[str | None, int]]:
        shown = {p.id: p for _, p, _ in people_entries(window) if not p.hidden}
        return sorted(((p.name or "", p.photos) for p in shown.values()),
                      key=lambda t: (-t[1], t[0]))

    def label() -> str:
        return view.preview.regions[0].label if view.preview.regions else ""

    steps = [("Take a face out of a person", [("Colin", 3), ("", 2)], "Colin"),
             ("Name a person 'colin'", [("", 2), ("", 2), ("Colin", 1)], "Colin"),
             ("Name a face 'Colin'", [("", 3), ("", 2)], "Unnamed")]
    for text, listed, face in steps:
        qtbot.waitUntil(lambda: window.edits.busy == 0, timeout=20_000)
        assert window.edits.stack.undoText() == text
        undo.trigger()
        def shown(listed=listed, face=face) -> None:
            assert (people(), label()) == (listed, face)
        qtbot.waitUntil(shown, timeout=20_000)
    for _ in steps:
        qtbot.waitUntil(lambda: window.edits.busy == 0, timeout=20_000)
        redo.trigger()
    def redone() -> None:
        assert ("Colin", 2) in people() and label() == "Unnamed"
    qtbot.waitUntil(redone, timeout=20_000)
    assert not window.banner.isVisible(), window.banner.text


def test_suggested_faces_are_reviewed_in_the_gui(
    qtbot, tmp_path: Path, datasets_dir: Path, write_settings, make_window, wait_indexed
) -> None:
    """Venus Williams' faces are near her sister Serena's but not near enough to join her:
    once Serena is named they are suggested ("Serena?" on the photo, "2 to review" in the
    list); the review dialog's Yes joins one, the photo view's "No" keeps the other out."""
    from photoclip.gui.people_review import FaceRole

    folder = tmp_path / "sisters"
    folder.mkdir()
    for who, k in [("Serena_Williams", 1), ("Serena_Williams", 2), ("Serena_Williams", 3),
                   ("Venus_Williams", 5), ("Venus_Williams", 7)]:
        shutil.copy2(datasets_dir / "faces" / "lfw" / who / f"{who}_{k:04d}.jpg", folder)
    write_settings([folder], enabled_plugins=["faces"])
    window = make_window()
    wait_indexed(window, 5)
    panel = window.people
    qtbot.waitUntil(lambda: [p.photos for _, p, _ in people_entries(window)][:1] == [3],
                    timeout=60_000)
    serena = people_entries(window)[0][1]
    panel.ask_text = lambda *_: "Serena"
    action(panel.person_menu(serena), "Name").trigger()
    qtbot.waitUntil(lambda: people_entries(window)[0][0] == "Serena — 3 (2 to review)",
                    timeout=20_000)
    serena = people_entries(window)[0][1]

    action(panel.person_menu(serena), "Review 2 suggested").trigger()
    dialog = panel.review
    qtbot.waitUntil(lambda: dialog.list.count() == 2, timeout=20_000)
    assert dialog.list.item(0).text() == "May be Serena"
    qtbot.waitUntil(lambda: not dialog.list.item(0).icon().isNull(), timeout=20_000)
    first = dialog.list.item(0).data(FaceRole)
    dialog.list.setCurrentRow(0)
    dialog.yes.click()
    qtbot.waitUntil(lambda: people_entries(window)[0][0] == "Serena — 4 (1 to review)",
                    timeout=20_000)
    qtbot.waitUntil(lambda: dialog.list.count() == 1
                    and dialog.list.item(0).data(FaceRole) != first, timeout=20_000)
    dialog.close()

    # the other one, on its photo: drawn as "Serena?", answered "No" from its menu
    other = dialog.faces[0]
    lib = window.backend.library
    row = next(r for r in range(window.results.rowCount())
               if window.results.index(r).data(PhotoIdRole) == other.photo_id)
    window.open_photo(window.results.index(row))
    view = window.photo_view
    qtbot.waitUntil(lambda: [r.label for r in view.preview.regions] == ["Serena?"],
                    timeout=20_000)
    view.preview.region_clicked.emit(view.preview.regions[0], QPoint(0, 0))
    action(panel.menu, "No, this is not Serena").trigger()
    qtbot.waitUntil(lambda: people_entries(window)[0][0] == "Serena — 4", timeout=20_000)
    qtbot.waitUntil(lambda: [r.label for r in view.preview.regions] == ["Unnamed"],
                    timeout=20_000)
    assert lib.plugins.people(lib.plugin_context()).suggestions() == []
    assert not window.banner.isVisible(), window.banner.text


def test_the_window_is_active_again_after_a_question(
    qtbot, tmp_path: Path, write_settings, make_window
) -> None:
    """Ctrl+Z right after naming a person did nothing where no window manager makes the main
    window active again once the question closes (the Edit menu's Undo worked)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from photoclip.gui.people_panel import _ask_text

    write_settings([tmp_path])
    window = make_window()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=10_000)

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.setTextValue("Ann")
        dialog.accept()

    QTimer.singleShot(300, answer)
    assert _ask_text(window, "Name", "Who is this?", []) == "Ann"
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=10_000)
