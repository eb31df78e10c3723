"""Screenshots of albums, the duplicates review and the Edit menu under Xvfb:

    xvfb-run -a -s "-screen 0 1400x900x24" python scripts/organize_screenshots.py [OUT]

Twelve coco-mini photos and a copy of one in a "copies" folder, a random-weight tiny model
(meaningless rankings; the screens are real). Writes album-dialog.png, duplicates-review.png
and edit-menu.png into OUT (default docs/screenshots)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gui_screenshots import DATASETS, OUT, make_home


def main() -> int:
    from PySide6.QtWidgets import QApplication

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="photoclip-organize-"))
    photos = tmp / "Pictures"
    (photos / "copies").mkdir(parents=True)
    for src in sorted((DATASETS / "coco-mini" / "val2017").glob("*.jpg"))[:12]:
        shutil.copy2(src, photos / src.name)
    first = sorted(photos.glob("*.jpg"))[0]
    shutil.copy2(first, photos / "copies" / first.name)
    make_home(tmp / "home", photos)
    os.environ["PHOTOCLIP_HOME"] = str(tmp / "home")
    app = QApplication(sys.argv)
    from photoclip.config import app_paths
    from photoclip.core.edits import AlbumPhotos, TagEdit
    from photoclip.gui.app import create_window
    from photoclip.gui.backend import Backend
    from photoclip.gui.duplicates_review import open_review

    window = create_window(Backend(app_paths(), service_options={"quiet": 0.2}))
    window.resize(1300, 820)
    window.show()

    def wait(cond, seconds: float) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            if cond():
                return True
            time.sleep(0.02)
        return cond()

    def shot(widget, name: str) -> None:
        wait(lambda: False, 0.5)
        widget.grab().save(str(out / name))
        print("saved", out / name, flush=True)

    assert wait(lambda: window.results.rowCount() == 13 and window.backend.service is not None
                and window.backend.service.wait_idle(0), 180)
    ids = [window.results.item(r).photo_id for r in range(13)]
    window.edits.run(TagEdit("add", "street", ids[:4]))
    window.edits.run(AlbumPhotos("add", "Trip", ids[2:7], create=True))
    wait(lambda: window.edits.busy == 0, 30)
    window.sidebar.expandAll()
    window.album_actions.new_album(kind=2, tag="street", name="Streets")
    assert wait(lambda: window.album_actions.dialog.preview_count == 4, 30)
    shot(window.album_actions.dialog, "album-dialog.png")
    window.album_actions.dialog.reject()
    open_review(window)
    assert wait(lambda: getattr(window, "duplicates_review", None) is not None, 120)
    shot(window.duplicates_review, "duplicates-review.png")
    window.duplicates_review.reject()
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    menu.popup(window.mapToGlobal(window.menuBar().geometry().bottomLeft()))
    wait(lambda: False, 0.5)
    screen = app.primaryScreen().grabWindow(0)
    screen.save(str(out / "edit-menu.png"))
    print("saved", out / "edit-menu.png", flush=True)
    menu.close()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
