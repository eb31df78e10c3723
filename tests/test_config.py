"""settings.toml round trips: a hand-edited file keeps its comments and layout (issue 14, 26)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import tomllib

from photoclip.config import Settings

HAND_WRITTEN = """\
# photoclip settings, edited by hand
# (the README says this is fine)

write_xmp = true      # darktable reads the sidecars
batch_size = 16       # smaller: my laptop has little memory

# where the photos are
folders = [
    "/photos/holidays",   # the good ones
    "/photos/phone",
]
chroma_server = 'http://nas:8000'
my_note = "a key photoclip does not know"

[later]
kept = true
"""


def test_saving_one_setting_keeps_comments_order_and_layout(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    settings = Settings.load(path)
    settings.batch_size = 8
    settings.save(path)
    text = path.read_text(encoding="utf-8")
    # the hand-written lines stay as they were, in their order, but for the changed value;
    # the settings photoclip adds go after them, before the first table
    head, _ = HAND_WRITTEN.split("\n[later]\n")
    head = head.replace("batch_size = 16 ", "batch_size = 8 ")
    assert text.startswith(head.rstrip("\n") + "\n")
    assert text.endswith("\n\n[later]\nkept = true\n")
    added = text[len(head.rstrip("\n")) + 1 : -len("\n[later]\nkept = true\n")]
    assert set(tomllib.loads(added)) == {
        "model", "device", "precision", "weights_file", "decode_workers", "decode_pool",
        "torch_threads", "max_megapixels", "exclude", "auto_tag", "label_sets",
        "tag_strictness", "read_keywords", "disabled_plugins", "enabled_plugins", "language",
        "slideshow_seconds",
        "schema_version"}
    assert "[later]\nkept = true\n" in text
    raw = tomllib.loads(text)
    assert raw["my_note"] == "a key photoclip does not know"
    assert raw["later"] == {"kept": True}
    again = Settings.load(path)
    assert again.batch_size == 8 and again.write_xmp is True
    assert again.folders == ["/photos/holidays", "/photos/phone"]
    assert again.chroma_server == "http://nas:8000"
    # saving unchanged settings changes nothing
    again.save(path)
    assert path.read_text(encoding="utf-8") == text


def test_changing_a_list_keeps_the_comments_around_it(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    settings = Settings.load(path)
    settings.folders = [*settings.folders, "/photos/scans"]
    settings.save(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# photoclip settings, edited by hand\n# (the README says this is fine)")
    assert "# where the photos are\nfolders = " in text
    assert '    "/photos/holidays",   # the good ones\n' in text
    assert Settings.load(path).folders == ["/photos/holidays", "/photos/phone", "/photos/scans"]
    settings.folders = ["/photos/holidays", "/photos/scans"]  # one removed
    settings.save(path)
    text = path.read_text(encoding="utf-8")
    assert '    "/photos/holidays",   # the good ones\n' in text and "/photos/phone" not in text
    assert Settings.load(path).folders == ["/photos/holidays", "/photos/scans"]


def test_new_file_and_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.toml"
    Settings(batch_size=4).save(path)
    assert Settings.load(path).batch_size == 4
    path.write_text("batch_size = = 3\n", encoding="utf-8")  # not TOML
    Settings(batch_size=5).save(path)
    assert Settings.load(path).batch_size == 5
    # what the user had is kept beside it, not lost
    assert path.with_name("settings.toml.unreadable").read_text() == "batch_size = = 3\n"


def test_the_app_changing_a_setting_keeps_the_users_comments(tmp_path: Path) -> None:
    """The real CLI saving settings (`folders add`) keeps a hand-written file's comments."""
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    path = home / "config" / "settings.toml"
    path.write_text(HAND_WRITTEN.replace('    "/photos/phone",\n', ""), encoding="utf-8")
    photos = tmp_path / "photos"
    photos.mkdir()
    env = {**os.environ, "PHOTOCLIP_HOME": str(home),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, "-m", "photoclip", "folders", "add", str(photos)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# photoclip settings, edited by hand\n")
    assert "write_xmp = true      # darktable reads the sidecars\n" in text
    assert '    "/photos/holidays",   # the good ones\n' in text
    assert str(photos) in Settings.load(path).folders
