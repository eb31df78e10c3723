"""The README's People screenshots under Xvfb (docs/screenshots/people.png, people-faces.png):

    xvfb-run -a -s "-screen 0 1400x900x24" python scripts/people_screenshot.py [OUT]

Six LFW photos of two people and two group photos of ../shared/datasets/faces, People on (the
faces plugin: needs dlib), a random-weight tiny model (meaningless rankings; the screens are
real). Names both people and three faces of a group photo through the People section's own
requests (undoable edits, as a click does): people-faces.png is that photo with its face boxes,
people.png the grid with the People section."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gui_screenshots import DATASETS, OUT, make_home

GROUP = "2008_002079"


def main() -> int:
    from PySide6.QtWidgets import QApplication

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="photoclip-people-"))
    photos = tmp / "Pictures"
    photos.mkdir()
    faces = DATASETS / "faces"
    for who in ("Colin_Powell", "Serena_Williams"):
        for k in (1, 2, 3):
            shutil.copy2(faces / "lfw" / who / f"{who}_{k:04d}.jpg", photos)
    for group in (GROUP, "2008_001322"):
        shutil.copy2(faces / "groups" / f"{group}.jpg", photos)
    make_home(tmp / "home", photos)
    os.environ["PHOTOCLIP_HOME"] = str(tmp / "home")
    from photoclip.config import Settings, app_paths

    settings = Settings.load(app_paths().settings_file)
    settings.enabled_plugins = ["faces"]
    settings.save(app_paths().settings_file)
    app = QApplication(sys.argv)
    from photoclip.gui.app import create_window
    from photoclip.gui.backend import Backend

    window = create_window(Backend(app_paths(), service_options={"quiet": 0.2}))
    window.resize(1280, 820)
    window.show()

    def wait(cond, seconds: float) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            if cond():
                return True
            time.sleep(0.02)
        return cond()

    panel = window.people
    if not wait(lambda: sum(p.faces for p in panel.people or []) >= 15, 900):
        print("fewer faces than expected (is the faces plugin installed?)", flush=True)
    for name, person in zip(("Colin", "Serena"),
                            sorted(panel.people or [], key=lambda p: -p.photos)):
        panel.requests.name(person.id, name)
    wait(lambda: window.edits.busy == 0 and sum(bool(p.name) for p in panel.people or []) >= 2,
         120)
    row = next(r for r in range(window.results.rowCount())
               if Path(window.results.item(r).path).stem == GROUP)
    window.open_photo(window.results.index(row, 0))
    view = window.photo_view
    wait(lambda: len(view.preview.regions) >= 5 and view.preview.has_image(), 60)
    boxes = sorted((r for r in view.preview.regions if r.kind == "face"), key=lambda r: r.box[0])
    for name, region in zip(("Anna", "Ben", "Chloé"), boxes):
        panel.requests.name_face(int(region.id), name)
    wait(lambda: window.edits.busy == 0
         and sum(r.label in ("Anna", "Ben", "Chloé") for r in view.preview.regions) == 3, 120)
    wait(lambda: False, 1.0)
    window.grab().save(str(out / "people-faces.png"))  # the photo view fills the window
    window.show_grid()
    window.sidebar.expandAll()
    wait(lambda: False, 2.0)
    window.grab().save(str(out / "people.png"))
    print("saved", out / "people.png", out / "people-faces.png", flush=True)
    window.close()
    os._exit(0)  # the backend threads are daemons; the temp home is left for inspection


if __name__ == "__main__":
    sys.exit(main())
