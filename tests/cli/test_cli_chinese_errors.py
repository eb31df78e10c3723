"""The last English a Chinese reader met, now Chinese: the model errors (the two-part ones
included), the damaged and too-new catalog and the migration messages, why a photo could not
be read, the plugins' action results, the countries of Places, and a bad search filter said
before a missing model. Each class is checked on a real process where a user meets it; every
template the core says has its zh_CN text with the same fields."""

from __future__ import annotations

import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from photoclip.cli.i18n import _, parse_po, set_language
from photoclip.config import AppPaths
from photoclip.languages import I18N_DIR
from tests.cli.helpers import photoclip
from tests.cli.test_cli_chinese_texts import ZH
from tests.conftest import copy_coco
from tests.core.test_keywords import exiftool, needs_exiftool
from tests.core.test_photo_facts import EIFFEL


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    set_language("en")


def fields(text: str) -> set[str]:
    return {f"{name}!{conv}" if conv else name
            for _, name, _, conv in string.Formatter().parse(text) if name is not None}


def core_texts() -> dict[str, str]:
    """scripts/update_translations.py's list of the core's templates."""
    import importlib.util
    import sys

    script = Path(__file__).resolve().parents[2] / "scripts" / "update_translations.py"
    spec = importlib.util.spec_from_file_location("update_translations", script)
    assert spec is not None and spec.loader is not None
    module = sys.modules.setdefault("update_translations", importlib.util.module_from_spec(spec))
    if not hasattr(module, "core_texts"):
        spec.loader.exec_module(module)
    return module.core_texts()


def test_every_core_template_has_its_chinese_with_the_same_fields() -> None:
    import xml.etree.ElementTree as ET

    from photoclip.core import errors, migrations, reasons, recovery, weights, weights_check

    templates = core_texts()
    po = parse_po(I18N_DIR / "photoclip_cli_zh_CN.po")
    ts = {m.findtext("source", ""): m.findtext("translation", "")
          for m in ET.parse(I18N_DIR / "photoclip_zh_CN.ts").getroot().iter("message")
          if not m.findtext("comment")}
    walked = {*reasons.REASONS, weights._UNREACHABLE_PARTS, weights._FAILED_PARTS,
              weights_check._MISMATCH, errors._CATALOG_DAMAGED, errors._TOO_NEW,
              migrations._FAILED, recovery._SOUND}  # a template of each class is collected
    assert walked <= set(templates)
    missing = [t for t in templates if not po.get(t) or not ts.get(t)]
    assert missing == [], "translate these in the .po and .ts (scripts/update_translations.py)"
    wrong = [t for t in templates if fields(po[t]) != fields(t) or fields(ts[t]) != fields(t)]
    assert wrong == [], "a translation whose {fields} differ from its template's"


def test_every_plugin_sentence_keeps_its_fields() -> None:
    from photoclip.core.plugin_discovery import Manifest, find_manifests

    for m in find_manifests(first_party=True, entry_points=False):
        if isinstance(m, Manifest):
            table = m.translations.get("zh_CN", {})
            assert [k for k, v in table.items() if fields(k) != fields(v)] == [], m.name


def test_model_errors_in_chinese(photoclip_home: AppPaths) -> None:
    from photoclip.core import weights
    from photoclip.core.errors import user_message
    from photoclip.core.model_catalogue import CATALOGUE
    from photoclip.core.said import Said

    home = photoclip_home.data.parent
    proc = photoclip(home, "models", "use", "vit-b-32", "--weights", "/no/such/weights.bin",
                     check=False, **ZH)
    assert proc.returncode == 1, proc.stderr
    assert "没有这个权重文件、文件夹或压缩包：/no/such/weights.bin" in proc.stderr, proc.stderr
    proc = photoclip(home, "models", "use", "no-such-model", check=False, **ZH)
    assert proc.returncode == 2 and "没有名为“no-such-model”的模型。可选：" in proc.stderr

    spec = CATALOGUE["xlm-roberta-vit-b-32"]  # two parts: weights and a text tower
    error = weights._unreachable(spec, Said(weights._OFFLINE_SET), ["weights", "text tower"])
    assert "it lacks its weights file and its text tower (the config" in str(error)
    set_language("zh_CN")
    said = user_message(error, _)
    assert said is not None and said.startswith(
        "模型“xlm-roberta-vit-b-32”尚未下载：缺少权重文件和文本塔（xlm-roberta-base 的配置和分词器"
        "文件），且无法连接 Hugging Face（设置了 HF_HUB_OFFLINE）。"), said
    assert "把 https://" in said and "--weights FOLDER_OR_ARCHIVE" in said


def test_catalog_messages_in_chinese(cli_home: Path) -> None:
    from photoclip.core.catalog import Catalog
    from tests.core.test_catalog_backup import make_catalog

    catalog = cli_home / "data" / "library" / "catalog.sqlite3"
    catalog.parent.mkdir(parents=True, exist_ok=True)
    make_catalog(catalog, n=60)
    Catalog(catalog).close()  # backed up on this open
    catalog.write_bytes(b"")
    proc = photoclip(cli_home, "status", check=False, **ZH)
    assert proc.returncode == 1
    assert f"目录 {catalog} 已损坏（文件是空的（0 字节））。你的照片没有受到影响。" in proc.stderr
    assert "最新的完好备份是 " in proc.stderr and "photoclip recover" in proc.stderr
    plan = photoclip(cli_home, "recover", "--yes", **ZH).stdout
    assert "已损坏：" in plan and "文件是空的（0 字节）" in plan, plan
    set_language("zh_CN")
    from photoclip.core.errors import CatalogTooNewError, user_message

    assert user_message(CatalogTooNewError("/l/catalog.sqlite3", 9, 3), _) == (
        "目录 /l/catalog.sqlite3 的结构版本是 9，由更新版本的 photoclip 写入；这个 photoclip "
        "最多只能读取版本 3：请升级 photoclip")


@needs_exiftool
def test_reasons_results_and_places_in_chinese(
    cli_home: Path, tmp_path: Path, datasets_dir: Path
) -> None:
    folder = copy_coco(datasets_dir, tmp_path / "photos", 2)
    paris = sorted(folder.glob("*.jpg"))[0]
    exiftool("-q", "-overwrite_original", *EIFFEL, paris)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 64)  # a cut-off JPEG
    photoclip(cli_home, "folders", "add", str(folder))
    index = photoclip(cli_home, "index", **ZH).stdout
    assert "broken.jpg" in index and "JPEG 文件已损坏" in index, index
    status = photoclip(cli_home, "status", "--failures", **ZH).stdout
    assert "JPEG 文件已损坏" in status and "corrupt" not in status
    english = photoclip(cli_home, "--json", "status").stdout
    assert "corrupt JPEG" in english  # stored (and --json) in English as before

    places = photoclip(cli_home, "places", **ZH).stdout
    assert "1  法国" in places and "1    Paris" in places, places  # towns as GeoNames has them
    assert "拍摄于 Paris, 法国" in photoclip(cli_home, "photo", str(paris), **ZH).stdout
    found = photoclip(cli_home, "search", "--place", "法国", "--json").stdout
    assert paris.name in found  # the Chinese name finds the country too

    out = tmp_path / "out"
    done = photoclip(cli_home, "export", "--to", str(out), str(paris), **ZH).stdout
    assert f"已把 1 张照片导出到 {out}（方式：links）" in done, done


def test_a_bad_filter_is_said_before_a_missing_model(photoclip_home: AppPaths) -> None:
    home = photoclip_home.data.parent  # the default model, not downloaded (and no hub here)
    offline = {"HF_HUB_OFFLINE": "1"}
    proc = photoclip(home, "search", "--rating", "lots", "dog", check=False, **offline, **ZH)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "rating：评分筛选是 0 到 5 颗星" in proc.stderr and "lots" in proc.stderr, proc.stderr
    assert "模型" not in proc.stderr and "Model" not in proc.stderr
    proc = photoclip(home, "search", "--rating", "4", "dog", check=False, **offline, **ZH)
    assert "模型“vit-b-32”尚未下载" in proc.stderr, proc.stderr  # a good value: the model
