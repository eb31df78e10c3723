"""The command line in Simplified Chinese: help and messages through the gettext catalogue,
chosen by the locale or the ``language`` setting; machine output (--json keys, exit codes)
never changes. Real processes, as a user runs them."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from photoclip.cli.i18n import _, compile_po, mo_path, parse_po, set_language
from photoclip.cli.output import plural
from photoclip.config import AppPaths, Settings
from tests.cli.helpers import as_json, photoclip

REPO = Path(__file__).resolve().parents[2]
ZH = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8"}
_spec = importlib.util.spec_from_file_location("update_translations",
                                               REPO / "scripts" / "update_translations.py")
assert _spec is not None and _spec.loader is not None
update = importlib.util.module_from_spec(_spec)
sys.modules["update_translations"] = update
_spec.loader.exec_module(update)


@pytest.fixture()
def chinese() -> object:
    set_language("zh_CN")
    yield
    set_language("en")


def test_the_catalogue_covers_every_cli_text() -> None:
    found = update.extract_cli()
    assert found.problems == []
    po = update.po_path("zh_CN")
    entries = parse_po(po)
    missing = [m for m, _ in found.messages if not entries.get(m)]
    assert missing == [], ("untranslated CLI texts: run `python scripts/update_translations.py` "
                           f"and translate them in {po.name}: {missing}")
    assert mo_path("zh_CN").read_bytes() == compile_po(po), "run scripts/update_translations.py"
    for source, text in entries.items():
        fields = r"\{(\w*)(?:[:!][^{}]*)?\}|(%\(\w+\)[sr]|%s)"  # names: {month:02} is {month}
        assert sorted(re.findall(fields, text)) == sorted(re.findall(fields, source)), source


def test_counts_in_chinese(chinese: object) -> None:
    assert plural(1250, "photo") == "1,250 张照片"
    assert _("no matching photos") == "没有匹配的照片"
    set_language("en")
    assert plural(1250, "photo") == "1,250 photos"


def test_help_follows_the_locale(photoclip_home: AppPaths) -> None:
    home = photoclip_home.data.parent
    zh = photoclip(home, "--help", **ZH).stdout
    assert zh.startswith("用法：photoclip")
    assert "按照片内容搜索你的照片。" in zh and "选项" in zh and "显示此帮助信息并退出" in zh
    assert "索引新增和修改的照片（增量）" in zh
    en = photoclip(home, "--help", LANGUAGE="", LC_ALL="", LANG="C.UTF-8").stdout
    assert en.startswith("usage: photoclip") and "Search your photos by what is in them." in en


def test_the_setting_wins_over_the_locale(photoclip_home: AppPaths) -> None:
    Settings(language="en").save(photoclip_home.settings_file)
    out = photoclip(photoclip_home.data.parent, "--help", **ZH).stdout
    assert out.startswith("usage: photoclip")
    Settings(language="zh_CN").save(photoclip_home.settings_file)
    out = photoclip(photoclip_home.data.parent, "--help", LANGUAGE="en").stdout
    assert out.startswith("用法：photoclip")


def test_errors_in_chinese_keep_their_json_and_exit_codes(photoclip_home: AppPaths) -> None:
    home = photoclip_home.data.parent
    proc = photoclip(home, "folders", "add", check=False, **ZH)  # the folder is missing
    assert proc.returncode == 2
    assert "缺少以下必需参数" in proc.stderr and "用法：" in proc.stderr
    proc = photoclip(home, "search", check=False, **ZH)  # neither a query nor a filter
    assert proc.returncode == 2
    assert "请说明要找什么" in proc.stderr and "--where person=Anna" in proc.stderr
    proc = photoclip(home, "--json", "index", check=False, **ZH)  # no folders
    assert proc.returncode == 1
    error = as_json(proc)["error"]
    assert set(error) == {"type", "kind", "message", "hint", "exit_code"}
    assert (error["type"], error["kind"], error["exit_code"]) == ("NoFolders", "failed", 1)
    assert error["message"] == "图库中没有文件夹"
    assert error["hint"] == "用 `photoclip folders add ~/Pictures` 添加一个"
    english = as_json(photoclip(home, "--json", "index", check=False))["error"]
    assert {**english, "message": "", "hint": ""} == {**error, "message": "", "hint": ""}


def test_status_in_chinese(cli_home: Path) -> None:
    zh = photoclip(cli_home, "status", **ZH).stdout
    assert "文件夹：" in zh and "照片：" in zh and "模型：" in zh
    zh_json = as_json(photoclip(cli_home, "--json", "status", **ZH))
    en_json = as_json(photoclip(cli_home, "--json", "status"))
    assert set(zh_json) == set(en_json)
    assert {k: v for k, v in zh_json.items() if k != "store_bytes"} == {
        k: v for k, v in en_json.items() if k != "store_bytes"}  # the store grew meanwhile


def test_a_chinese_query_with_an_english_only_model_says_so(cli_home: Path) -> None:
    proc = photoclip(cli_home, "search", "海边的狗")
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "understands English only" in lines[0]
    assert "photoclip models use xlm-roberta-vit-b-32" in lines[0]
    assert "没有匹配的照片" not in proc.stdout  # English output: LANGUAGE=en
    assert "海边的狗" not in photoclip(cli_home, "search", "a dog on a beach").stderr
    assert "English only" not in photoclip(cli_home, "search", "a dog on a beach").stderr
    machine = photoclip(cli_home, "--json", "search", "海边的狗")
    assert as_json(machine) == {"results": [], "not_searched": 0}  # JSON; the line on stderr
    zh = photoclip(cli_home, "search", "海边的狗", **ZH).stderr
    assert "只懂英文" in zh and "photoclip models use xlm-roberta-vit-b-32" in zh


def test_models_use_refuses_a_model_whose_packages_are_missing(
    cli_home: Path, tiny_clip_config: dict
) -> None:
    from photoclip.core.model_catalogue import write_user_model

    write_user_model(cli_home / "config" / "models", "needs-more", tiny_clip_config,
                     description="d", requires=["photoclip_test_no_such_package"])
    before = as_json(photoclip(cli_home, "--json", "status"))["model"]
    proc = photoclip(cli_home, "models", "use", "needs-more", check=False)
    assert proc.returncode == 1
    assert "photoclip_test_no_such_package" in proc.stderr and "now using" not in proc.stdout
    assert as_json(photoclip(cli_home, "--json", "status"))["model"] == before


def test_folder_messages_in_chinese(photoclip_home: AppPaths, tmp_path: Path) -> None:
    """The core's sentences about adding a folder (core.folders) in the CLI's language."""
    home = photoclip_home.data.parent
    photos = tmp_path / "Pictures"
    (photos / "2024").mkdir(parents=True)
    first = photoclip(home, "folders", "add", str(photos), **ZH).stdout.splitlines()
    assert first == [f"已添加 {photos}", "运行 `photoclip index` 为它建立索引"]
    inside = photoclip(home, "folders", "add", str(photos / "2024"), **ZH).stdout
    assert inside.startswith(f"{photos / '2024'} 已作为 {photos} 的一部分在图库中")
    english = photoclip(home, "folders", "add", str(photos)).stdout
    assert english.strip() == f"{photos} is already in the library"
