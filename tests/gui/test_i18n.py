"""The interface in Simplified Chinese: every GUI text goes through the catalogue, the catalogue
is complete and compiled, the window and its dialogs show Chinese under zh_CN (real widgets,
offscreen), the system language is the default and the setting overrides it."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QWidget,
)

from photoclip.config import AppPaths, Settings
from photoclip.gui.i18n import install_language, tr
from photoclip.gui.tags_model import SourceRole

REPO = Path(__file__).resolve().parents[2]
RUN = "python scripts/update_translations.py"
_spec = importlib.util.spec_from_file_location("update_translations",
                                               REPO / "scripts" / "update_translations.py")
assert _spec is not None and _spec.loader is not None
update = importlib.util.module_from_spec(_spec)
sys.modules["update_translations"] = update  # its dataclass looks itself up there
_spec.loader.exec_module(update)

#: Words that stay as they are in a Chinese interface (names, units, formats).
KEPT = {"photoclip", "CLIP", "EXIF", "XMP", "GPU", "CPU", "NVIDIA", "CUDA", "Apple", "Metal",
        "Esc", "English", "safetensors", "bin", "pth", "open_clip_model", "jpg", "xmp", "MB",
        "photo", "tiny", "test", "Ctrl", "Alt", "JPEG", "PNG", "LAION", "ViT", "DataComp", "XLM",
        "RoBERTa", "MobileCLIP", "AMLR", "cpu", "linux",
        "Python", "PySide", "transformers", "sentencepiece",
        "xlm", "roberta", "base", "zip", "tar",  # xlm-roberta-base (a text tower); archives
        "OFA", "Sys", "Chinese"}  # OFA-Sys Chinese-CLIP (a model's name)


@pytest.fixture()
def chinese(qapp: QApplication) -> Iterator[QApplication]:
    before = QLocale()
    assert install_language(qapp, "zh_CN") == "zh_CN"
    yield qapp
    install_language(qapp, "en")
    QLocale.setDefault(before)  # the other tests' dates and numbers as they were


def english_words(text: str) -> list[str]:
    text = re.sub(r"<[^>]+>|&\w+;", "", text)  # markup
    text = re.sub(r"(/|[A-Za-z]:\\)[^\s，。；）)]*", "", text)  # paths
    text = re.sub(r"\S*\d\S*", "", text)  # model keys and sizes (vit-b-32, 605 MB)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", text) if w not in KEPT]


def shown_texts(root: QWidget, data: tuple[QWidget, ...] = ()) -> list[str]:
    """What a person reads in ``root`` and its children: titles, labels, buttons, tabs,
    group boxes, placeholders, tooltips, combo items (but those of ``data``: the user's folder
    and tag names) and menu entries."""
    texts = [root.windowTitle(), root.toolTip()]
    for w in [root, *root.findChildren(QWidget)]:
        if w in data:
            texts.append(w.itemText(0))  # "All folders", "Any tag"
            continue
        texts.append(w.toolTip())
        if isinstance(w, (QLabel, QAbstractButton)):
            texts.append(w.text())
        elif isinstance(w, QGroupBox):
            texts.append(w.title())
        elif isinstance(w, QLineEdit):
            texts.append(w.placeholderText())
        elif isinstance(w, QTabWidget):
            texts += [w.tabText(i) for i in range(w.count())]
        elif isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        for action in w.actions():
            texts.append(action.text())
            if action.menu() is not None:
                texts += [a.text() for a in action.menu().actions()]
    return [t for t in texts if t]


def untranslated(root: QWidget, data: tuple[QWidget, ...] = ()) -> list[str]:
    return [t for t in shown_texts(root, data) if english_words(t)]


def test_every_gui_text_goes_through_tr() -> None:
    problems = update.extract().problems
    assert problems == [], (
        "GUI texts must be written tr(\"...\") (photoclip/gui/i18n.py); then run "
        f"`{RUN}` and translate the new entries:\n" + "\n".join(problems))


def test_the_catalogue_is_complete_and_compiled(capsys: pytest.CaptureFixture[str]) -> None:
    code = update.main(["--check"])
    out = capsys.readouterr().out
    assert code == 0, (
        f"The translations are out of date with the code. Run `{RUN}`, translate what it "
        f"lists in photoclip/data/i18n/photoclip_zh_CN.ts, and run it again:\n{out}")


def test_translations_keep_the_placeholders() -> None:
    entries = update.read_ts(update.ts_path("zh_CN"))
    assert len(entries) > 200
    for (source, _), (text, finished) in entries.items():
        assert finished and text.strip(), source
        fields = sorted(re.findall(r"\{\w*\}", source))
        assert sorted(re.findall(r"\{\w*\}", text)) == fields, (source, text)
        # menu accelerators ("&&" is a plain ampersand, no accelerator)
        assert ("&" in source.replace("&&", "")) == ("(&" in text), (source, text)


def test_counts_dates_and_numbers_follow_the_locale(chinese: QApplication) -> None:
    from photoclip.gui.i18n import format_date, format_number
    from photoclip.gui.wording import count_of

    assert count_of(1250, "photo") == "1,250 张照片"
    assert format_number(1250) == "1,250"
    assert format_date(1714737600).startswith("2024/5/3")  # 2024-05-03 12:00 UTC
    install_language(chinese, "en")
    assert count_of(1250, "photo") == "1,250 photos"
    assert count_of(1, "photo") == "1 photo"


def test_the_window_and_its_menus_speak_chinese(
    chinese, qtbot, gui_photos, write_settings, make_window, wait_indexed
) -> None:
    write_settings([gui_photos])
    window = make_window()
    wait_indexed(window, 10)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["文件(&F)", "编辑(&E)", "查看(&V)", "标签(&T)", "模型(&M)", "帮助(&H)"]
    assert window.search_bar.edit.placeholderText().startswith("描述一张照片")
    assert window.search_bar.count.text() == "10 张照片"
    assert "已索引" in window.status_panel.label.text() or "张照片" in (
        window.status_panel.label.text())
    assert [window.sidebar_model.item(r).text() for r in range(5)] == [
        "全部照片 — 10", "文件夹", "我的标签", "自动标签", "相册"]
    assert window.sidebar_model.section("Folders").rowCount() == 1  # found by its English name
    # automatic tags show their label's Chinese name; the tag itself (the filter) stays English
    qtbot.waitUntil(lambda: bool(window.sidebar_model.leaves("Automatic tags")), timeout=60_000)
    for text, tag, _ in window.sidebar_model.leaves("Automatic tags"):
        assert re.search(r"[\u4e00-\u9fff]", text) and tag.isascii(), (text, tag)
    bar = window.search_bar
    assert untranslated(window, (bar.folder, bar.tag, bar.album)) == []

    window.open_photo(window.results.index(0))
    qtbot.waitUntil(lambda: window.photo_view.details is not None, timeout=10_000)
    assert window.photo_view.more_button.text() == "查找相似照片"
    view = window.photo_view.tags_model
    for row in range(view.rowCount()):
        if view.index(row).data(SourceRole) == "auto":
            assert "推荐" in view.index(row).data() and not english_words(view.index(row).data())
    assert untranslated(window.photo_view) == []

    # a Chinese query with the English-only tiny model: one line saying so, and the way out
    window.search_bar.set_text("海边的狗")
    window.run_search()
    assert window.banner.kind == "language" and "只懂英文" in window.banner.text
    assert "设置 › 模型" in window.banner.text and "xlm-roberta-vit-b-32" in window.banner.text
    window.search_bar.set_text("a dog on a beach")
    window.run_search()
    assert window.banner.kind != "language" and not window.banner.isVisible()


def test_people_and_photo_text_speak_chinese(
    chinese, qtbot, gui_photos, write_settings, make_window, wait_indexed
) -> None:
    """The People section, its menus and review dialog, the photo's face boxes and text panel,
    the person chip, the search count and the folder messages (the core's sentences) in
    Chinese: real window, real regions given to the photo view as a plugin returns them."""
    from photoclip.core.folders import plan_addition
    from photoclip.core.people import PersonFace, PersonSummary
    from photoclip.core.types import Region
    from photoclip.gui.people_review import ReviewDialog
    from photoclip.gui.people_sidebar import build_section
    from photoclip.gui.regions import shown_label

    write_settings([gui_photos])
    window = make_window()
    wait_indexed(window, 10)
    face = PersonFace(7, 1, (10, 10, 40, 40), 2, "Anna", suggested=2, suggested_name="Anna")
    anna = PersonSummary(2, "Anna", faces=3, photos=2, cover=face, suggestions=1)
    nobody = PersonSummary(5, None, faces=1, photos=1)
    hidden = PersonSummary(9, "Bo", faces=1, photos=1, hidden=True)
    section = build_section([anna, nobody], {}, [hidden])
    texts = [section.text()]
    items = [section.child(r) for r in range(section.rowCount())]
    for item in list(items):
        items += [item.child(r) for r in range(item.rowCount())]
    texts += [t for i in items for t in (i.text(), i.toolTip())]
    assert texts[0] == "人物" and "Anna — 2（1 个待确认）" in texts
    assert "未命名 — 1 组待确认" in texts and "已隐藏的人物" in texts
    assert "Anna：2 张照片，3 张人脸；右键点击可命名、合并、隐藏或确认" in texts
    assert [t for t in texts if english_words(t.replace("Anna", "").replace("Bo", ""))] == []
    assert "还没有人脸" in build_section([], {}).child(0).text()

    people = window.people
    menus = [people.person_menu(anna), people.person_menu(hidden), people.person_menu(None)]
    for region in (Region("face", (0, 0, 9, 9), "Anna?", id="7"),
                   Region("face", (0, 0, 9, 9), "Anna", id="7"),
                   Region("face", (0, 0, 9, 9), "Unnamed", id="8"),
                   Region("text", (0, 0, 9, 9), "WIFI 1234")):
        menus.append(people.region_menu(region))
    entries = [a.text() for m in menus for a in m.actions() if a.text()]
    assert "是，这是 Anna" in entries and "显示 Anna 的照片" in entries
    assert "确认 1 个建议…" in entries and "重新显示" in entries and "复制文字" in entries
    assert [e for e in entries if english_words(e.replace("Anna", ""))] == []

    review = ReviewDialog(people.requests, None, window)
    qtbot.addWidget(review)
    assert review.windowTitle() == "确认建议的人脸" and review.summary.text() == "正在加载…"
    review._loaded([face])  # what the plugin answers (People is off in this library)
    assert review.summary.text() == "1 个建议待确认"
    assert review.list.item(0).text() == "可能是 Anna"
    assert untranslated(review) == []

    window.open_photo(window.results.index(0))
    qtbot.waitUntil(lambda: window.photo_view.details is not None, timeout=10_000)
    view = window.photo_view
    photo = view.details.photo_id
    view.show_regions(photo, [Region("face", (0, 0, 50, 50), "Unnamed", id="8"),
                              Region("text", (0, 60, 50, 10), "无线密码 1234")])
    assert view.text_box.title() == "照片中的文字" and view.text_box.isVisibleTo(view)
    assert view.regions_button.text() == "人脸和文字（2）"
    assert shown_label(view.preview.regions[0]) == "未命名"  # drawn on the photo
    assert untranslated(view) == []

    bar = window.search_bar
    bar.set_person((5, "Unnamed"), notify=False)
    assert bar.person_chip.text() == "人物：未命名  ✕"
    bar.show_count(3, True, 5)
    assert bar.count.text() == "找到 3 张照片（另有 5 张照片尚未索引，未被搜索）"
    bar.show_count(3, True)
    assert bar.count.text() == "找到 3 张照片"
    library = str(gui_photos.resolve())
    inside = plan_addition([library], library + "/2024")
    assert inside.describe(tr).startswith(f"{library}/2024 已作为 {library} 的一部分在图库中")
    window._folder_added(inside)
    assert window.banner.text == inside.describe(tr)


def test_the_dialogs_speak_chinese(chinese, qtbot, tmp_path: Path) -> None:
    from photoclip.gui.about import AboutDialog
    from photoclip.gui.settings_dialog import SettingsDialog
    from photoclip.gui.welcome import WelcomeDialog

    paths = AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "cache").ensure()
    settings = Settings(folders=[str(tmp_path)])
    dialogs = [SettingsDialog(settings, paths, plugins=[]),
               AboutDialog(paths, model="vit-b-32", device="cpu"),
               WelcomeDialog(paths, Settings(), save=lambda s: None)]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
    settings_dialog, about, welcome = dialogs
    assert settings_dialog.windowTitle() == "photoclip 设置"
    assert [settings_dialog.tabs.tabText(i) for i in range(5)] == [
        "文件夹", "模型", "标签", "插件", "语言"]
    assert about.windowTitle() == "关于 photoclip"
    assert "版本" in about.label.text()
    assert about.details().startswith("Version: ")  # copied for a bug report: English
    for dialog in dialogs:
        assert untranslated(dialog) == [], dialog
    welcome.next()
    assert untranslated(welcome) == []


def test_the_language_setting_is_saved_by_the_dialog(qtbot, tmp_path: Path) -> None:
    from photoclip.gui.settings_dialog import SettingsDialog

    paths = AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "cache").ensure()
    settings = Settings()
    dialog = SettingsDialog(settings, paths, plugins=[])
    qtbot.addWidget(dialog)
    combo = dialog.language_combo
    assert combo.currentData() == ""  # the system's
    combo.setCurrentIndex(combo.findData("zh_CN"))
    dialog.accept()
    assert Settings.load(paths.settings_file).language == "zh_CN"


_SHOW = """
import sys
from PySide6.QtWidgets import QApplication
from photoclip.gui.i18n import install_language, tr
from photoclip.gui.tags_model import SourceRole
app = QApplication([])
print(install_language(app, sys.argv[1]), tr("Open"), tr("&File"))
"""


@pytest.mark.parametrize(("lang", "setting", "expected"), [
    ("zh_CN.UTF-8", "", "zh_CN 打开 文件(&F)"),
    ("en_US.UTF-8", "", "en Open &File"),
    ("zh_CN.UTF-8", "en", "en Open &File"),
    ("en_US.UTF-8", "zh_CN", "zh_CN 打开 文件(&F)"),
])
def test_the_system_language_is_the_default_and_the_setting_wins(
    lang: str, setting: str, expected: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(LANG=lang, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", _SHOW, setting], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == expected


def test_english_is_left_as_written(qapp: QApplication) -> None:
    before = QLocale()
    install_language(qapp, "en")
    assert tr("Open") == "Open"
    QLocale.setDefault(before)
