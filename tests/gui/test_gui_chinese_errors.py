"""The app in Chinese where the core speaks: why photos could not be read (the failures
dialog, the service's error banner), the model's errors, the countries of Places, and the
plugins' option labels and results (real widgets offscreen, a real library and plugins)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QFormLayout, QLabel, QTableWidget

from photoclip.config import AppPaths, Settings
from photoclip.gui.i18n import install_language, tr


@pytest.fixture()
def chinese(qapp: QApplication) -> Iterator[QApplication]:
    before = QLocale()
    assert install_language(qapp, "zh_CN") == "zh_CN"
    yield qapp
    install_language(qapp, "en")
    QLocale.setDefault(before)


def test_failures_and_errors_in_chinese(chinese: QApplication, qtbot) -> None:
    from photoclip.core.errors import describe_error
    from photoclip.core.model_catalogue import CATALOGUE, ModelUnavailableError
    from photoclip.core.model_install import check_text_tower
    from photoclip.core.service import ServiceEvent
    from photoclip.gui.status import FailuresDialog

    dialog = FailuresDialog([("/p/a.jpg", "corrupt JPEG"), ("/p/b.heic", "truncated file"),
                             ("/p/c.png", "a decoder's own words")])
    qtbot.addWidget(dialog)
    table = dialog.findChild(QTableWidget)
    reasons = [table.item(r, 1).text() for r in range(3)]
    assert reasons == ["JPEG 文件已损坏", "文件不完整（被截断）", "a decoder's own words"]

    with pytest.raises(ModelUnavailableError) as err:
        check_text_tower(CATALOGUE["xlm-roberta-vit-b-32"], Path("/no/tower"))
    shown = describe_error(err.value, tr)
    assert shown.startswith("模型“xlm-roberta-vit-b-32”：/no/tower 中的文本塔无法使用：其中没有 "
                            "config.json。"), shown
    event = ServiceEvent("error", message=str(err.value), error=err.value)
    assert event.text(tr) == shown and event.text().startswith("Model 'xlm-roberta-vit-b-32'")


def test_places_in_chinese(chinese: QApplication) -> None:
    from photoclip.core.photo_facts import PlaceCount
    from photoclip.gui.queries import SidebarData
    from photoclip.gui.sidebar_model import SidebarModel, ValueRole

    model = SidebarModel()
    model.set_data(SidebarData([], [], [], photos=3, places=[
        PlaceCount("France", "", 3), PlaceCount("France", "Paris", 2),
        PlaceCount("Australia", "", 1)]), 3)
    assert model.leaves("Places") == [("法国 — 3", "France", 3), ("澳大利亚 — 1", "Australia", 1)]
    france = model.section("Places").child(0)
    assert france.child(0).text() == "Paris — 2"  # the town as GeoNames names it
    assert france.child(0).data(ValueRole) == "Paris, France"  # what it filters by


def test_plugin_labels_and_results_in_chinese(
    chinese: QApplication, qtbot, photoclip_home: AppPaths, tiny_model_spec, tmp_path: Path,
    datasets_dir: Path,
) -> None:
    from photoclip.core.library import Library
    from photoclip.gui.plugin_actions import OptionsDialog, load_actions, run_action
    from tests.gui.conftest import copy_photos

    folder = copy_photos(datasets_dir, tmp_path / "photos", n=2)
    Settings(model=tiny_model_spec.key, device="cpu", precision="fp32",
             folders=[str(folder)]).save(photoclip_home.settings_file)
    lib = Library(photoclip_home)
    try:
        lib.index_folders()
        host, entries = load_actions(lib)
        duplicates = next(e for e in entries if e.name == "duplicates")
        dialog = OptionsDialog(duplicates)
        qtbot.addWidget(dialog)
        form = dialog.findChild(QFormLayout)
        labels = [form.itemAt(r, QFormLayout.ItemRole.LabelRole).widget().text()
                  for r in range(form.rowCount())]
        assert labels[:3] == ["比较方法:", "阈值:", "最大差异:"], labels
        assert all(isinstance(form.itemAt(r, QFormLayout.ItemRole.LabelRole).widget(), QLabel)
                   for r in range(form.rowCount()))
        ids = [r.photo_id for r in lib.browse.everything()]
        outcome = run_action(lib, host, "duplicates", ids, {"method": "exact"}, None)
        assert outcome.title == "查找重复照片"
        assert outcome.message == "在 2 张照片中找到 0 组重复照片；共 0 个多余副本", outcome.message
        out = tmp_path / "out"
        outcome = run_action(lib, host, "export", ids[:1], {"to": str(out), "as": "links"}, None)
        assert outcome.message == f"已把 1 张照片导出到 {out}（方式：links）"
    finally:
        lib.close()
