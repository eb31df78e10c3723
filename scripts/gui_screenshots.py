"""Screenshots of the real app's main states into docs/screenshots/*.png.

    xvfb-run -a -s "-screen 0 1400x900x24" python scripts/gui_screenshots.py  (see the .sh)

Runs on ../shared/datasets/coco-mini in a temporary PHOTOCLIP_HOME with a random-weight tiny model
installed as a user model (no real CLIP weights exist here, so search rankings are meaningless;
the screens are real). States: first-run welcome, indexing in progress, grid with search
results, photo view with tags, settings, about. ``--language zh_CN`` takes them in that language
(into docs/screenshots/zh_CN/; CJK text needs a CJK font, e.g. Debian's fonts-noto-cjk).
``--people`` takes one screen only, ``people-text.png``: the People section (the faces plugin,
five LFW photos, one person named) and a photo's text panel (the ocr plugin, one photo with
Chinese and English text); it needs both plugins' packages (dlib, rapidocr).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATASETS = Path(os.environ.get("PHOTOCLIP_DATASETS", REPO.parent / "shared" / "datasets"))
OUT = REPO / "docs" / "screenshots"
KEY = "tiny-random"


def make_home(root: Path, folder: Path | None) -> None:
    from photoclip.config import AppPaths, Settings
    from photoclip.core.model_catalogue import write_user_model

    paths = AppPaths(root / "data", root / "config", root / "cache").ensure()
    cfg = json.loads((REPO / "tests" / "assets" / "tiny-clip.json").read_text())
    write_user_model(paths.config / "models", KEY, cfg,
                     description="tiny random CLIP (screenshots only: meaningless rankings)")
    if folder is not None:
        # random weights saturate every independent label: show the exclusive sets only, which
        # give at most one label per set and photo, as a real model's tags look
        Settings(folders=[str(folder)], model=KEY, device="cpu", precision="fp32",
                 batch_size=16, label_sets=["scenes", "events", "people", "documents"],
                 ).save(paths.settings_file)


def main() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from photoclip.gui.i18n import install_language

    language = sys.argv[sys.argv.index("--language") + 1] if "--language" in sys.argv else "en"
    out = OUT if language == "en" else OUT / language
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="photoclip-shots-"))
    app = QApplication(sys.argv)
    app.setApplicationName("photoclip")
    install_language(app, language)

    def wait(cond: Callable[[], bool], seconds: float) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            if cond():
                return True
            time.sleep(0.02)
        return cond()

    def pause(seconds: float) -> None:
        wait(lambda: False, seconds)

    def shot(widget: QWidget, name: str) -> None:
        pause(0.3)
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(f"saved {path}", flush=True)

    if "--people" in sys.argv:
        people_and_text(app, tmp, wait, pause, lambda w: shot(w, "people-text"))
        os._exit(0)

    # 1. first run: the welcome wizard on an empty home
    first = tmp / "first-run"
    make_home(first, None)
    os.environ["PHOTOCLIP_HOME"] = str(first)
    from photoclip.config import Settings, app_paths
    from photoclip.gui.welcome import WelcomeDialog

    welcome = WelcomeDialog(app_paths(), Settings(), save=lambda s: None)
    welcome.folders_page.add_path(str(DATASETS / "coco-mini"))
    welcome.show()
    shot(welcome, "welcome-folders")
    welcome.next()
    shot(welcome, "welcome-model")
    welcome.close()

    # 2. the main window indexing coco-mini
    home = tmp / "library"
    make_home(home, DATASETS / "coco-mini")
    os.environ["PHOTOCLIP_HOME"] = str(home)
    from photoclip.gui.app import create_window
    from photoclip.gui.backend import Backend

    window = create_window(Backend(app_paths(), service_options={"quiet": 0.2}))
    window.resize(1280, 820)
    window.show()
    events: list[str] = []
    window.backend.service_event.connect(lambda e: events.append(getattr(e, "kind", "")))
    wait(lambda: "batch" in events or "progress" in events, 120)
    pause(1.0)
    shot(window, "indexing")

    def indexed() -> int:
        lib = window.backend.library
        return lib._catalog.counts(lib.model_spec.key).indexed if lib else 0

    total = sum(1 for p in (DATASETS / "coco-mini").rglob("*.jpg"))
    wait(lambda: indexed() >= total, 600)
    pause(2.0)
    print(f"indexed {indexed()} of {total}", flush=True)
    shot(window, "grid")

    # 3. a search
    window.search_bar.set_text("a dog playing on the beach")
    wait(lambda: window.results.rowCount() > 0 and window.results.has_scores, 30)
    pause(2.0)  # thumbnails
    shot(window, "search-results")

    # 4. the photo view with tags
    window.open_photo(window.results.index(0, 0))
    pause(2.5)
    shot(window, "photo-view")
    window.show_grid()

    # 5. settings and about
    from photoclip.gui.about import show_about
    from photoclip.gui.settings_dialog import open_settings

    open_settings(window, window.backend)
    wait(lambda: getattr(window, "settings_dialog", None) is not None, 30)
    dialog = window.settings_dialog
    shot(dialog, "settings-folders")
    dialog.tabs.setCurrentIndex(2)
    shot(dialog, "settings-tags")
    dialog.reject()
    about = show_about(window)
    pause(1.0)
    shot(about, "about")
    about.reject()

    QTimer.singleShot(0, window.close)
    pause(1.0)
    window.close()
    print("done", flush=True)
    os._exit(0)  # the backend threads are daemons; the temp home is left for inspection


def people_and_text(app: object, tmp: Path, wait: Callable[[Callable[[], bool], float], bool],
                    pause: Callable[[float], None], shot: Callable[[object], None]) -> None:
    """The main window with the People section and the photo view of a photo with text."""
    import shutil

    from photoclip.config import Settings, app_paths
    from photoclip.gui.app import create_window
    from photoclip.gui.backend import Backend

    home, photos = tmp / "people", tmp / "people-photos"
    photos.mkdir(parents=True)
    lfw = DATASETS / "faces" / "lfw"
    for who, k in (("Colin_Powell", 1), ("Colin_Powell", 2), ("Colin_Powell", 3),
                   ("Serena_Williams", 1), ("Serena_Williams", 2)):
        shutil.copy2(lfw / who / f"{who}_{k:04d}.jpg", photos)
    text_photo = photos / "ch_en_num.jpg"
    shutil.copy2(DATASETS / "ocr" / "rapidocr" / "ch_en_num.jpg", text_photo)
    make_home(home, photos)
    os.environ["PHOTOCLIP_HOME"] = str(home)
    settings = Settings.load(app_paths().settings_file)
    settings.enabled_plugins = ["faces", "ocr"]
    settings.save(app_paths().settings_file)
    window = create_window(Backend(app_paths(), service_options={"quiet": 0.2}))
    window.resize(1280, 820)
    window.show()
    panel = window.people
    if not wait(lambda: len(panel.people or []) >= 2, 600):
        print("no People found (is the faces plugin installed?)", flush=True)
    named = sorted(panel.people or [], key=lambda p: -p.photos)[:1]
    for person in named:
        panel.requests.name(person.id, "Colin")
    wait(lambda: any(p.name for p in panel.people or []), 60)
    window.sidebar.expandAll()
    for _ in range(30):  # the text is read after indexing: open the photo until it shows
        row = next((r for r in range(window.results.rowCount())
                    if window.results.item(r).path == str(text_photo)), None)
        if row is not None:
            window.open_photo(window.results.index(row, 0))
            if wait(lambda: window.photo_view.text_box.isVisible(), 20):
                break
            window.show_grid()
        pause(2.0)
    else:
        print("no text read (is the ocr plugin installed?)", flush=True)
    pause(2.0)
    shot(window)
    window.close()


if __name__ == "__main__":
    sys.exit(main())
