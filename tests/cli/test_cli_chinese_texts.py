"""Everything the command line shows a Chinese reader is Chinese: the help of every command
(plugins' included, through their manifests' [translations]), the tables (headings, states,
model and plugin descriptions) aligned by the columns a terminal shows."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest

from photoclip.cli.i18n import set_language
from photoclip.cli.table import cell, width
from photoclip.config import AppPaths, Settings
from photoclip.core.plugin_discovery import (
    Manifest,
    PluginManifestError,
    find_manifests,
    parse_manifest,
)
from photoclip.core.plugin_texts import plugin_text
from tests.cli.helpers import as_json, photoclip

ZH = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8"}
#: Words shown as they are in Chinese: names, formats, what the user types.
KEPT = {"photoclip", "CLIP", "ImageNet", "XMP", "JSON", "json", "stdout", "null", "Ctrl",
        "Chroma", "chromadb", "dlib", "phash", "vectors", "exact", "all", "links", "copies",
        "auto", "darktable", "adobe", "photo", "jpg", "xmp", "ocr", "text", "person", "Anna",
        "LAION", "ViT", "DataComp", "XLM", "RoBERTa", "MobileCLIP", "Apple", "AMLR", "OFA",
        "Sys", "Chinese", "GPU", "CPU", "SQLite", "Linux", "pip", "pipx", "usage", "failed",
        "interrupted", "error", "type", "kind", "message", "hint", "exit_code", "Pictures",
        "cat", "Ctrl-C", "photoclip-gui",
        "write_xmp", "Rating", "digiKam", "Lightroom", "Favorite"}  # XMP names, other apps


def english_words(text: str, typed: frozenset[str] = frozenset()) -> list[str]:
    """The English words of ``text`` a person would read, leaving out what they type or what
    names a thing: options, metavars, choices, ``typed`` (commands, arguments), commands in
    backticks, quoted values, paths."""
    text = re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"|\{[^}]*\}", "", text)
    text = re.sub(r"(?<![\w-])--?[\w-]+|\b[A-Z_]{2,}\b|\S*[/\\.=]\S*|\S*\d\S*", "", text)
    text = re.sub(r"photoclip [a-z-]+( [a-z-]+)?", "", text)  # a command line
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_-]*[A-Za-z]", text)
            if w not in KEPT and w not in typed]


def every_help(parser: argparse.ArgumentParser, path: str = "photoclip") -> Iterator[tuple]:
    """(command, its help, the words a user types there: command and argument names)."""
    typed = set()
    for action in parser._actions:
        if not action.option_strings:
            typed.add(action.dest)
        if isinstance(action.choices, dict):
            typed |= set(action.choices)
    yield path, parser.format_help(), frozenset(typed)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from every_help(sub, f"{path} {name}")


@pytest.fixture()
def every_plugin(photoclip_home: AppPaths) -> AppPaths:
    """A library with every first-party plugin enabled (their commands in the help)."""
    names = [m.name for m in find_manifests(photoclip_home) if isinstance(m, Manifest)]
    Settings(enabled_plugins=names).save(photoclip_home.settings_file)
    return photoclip_home


def test_every_commands_help_is_chinese(every_plugin: AppPaths) -> None:
    from photoclip.cli.main import build_parser

    set_language("zh_CN")
    try:
        parser = build_parser(choose_language=False)
        walked = list(every_help(parser))
    finally:
        set_language("en")
    helps = {path: text for path, text, _ in walked}
    assert {"photoclip people", "photoclip duplicates", "photoclip xmp-sidecars",
            "photoclip export", "photoclip album add"} <= set(helps)
    english = {path: words for path, text, typed in walked  # the usage line: what one types
               for words in [english_words(text.split("\n\n", 1)[1], typed)] if words}
    assert english == {}, "English in the Chinese help (translate it in the .po or the " \
        "plugin's [translations.zh_CN]): " + repr(english)
    assert "退出状态：" in helps["photoclip"] and "130  被中断（Ctrl-C）" in helps["photoclip"]
    assert "查找重复照片" in helps["photoclip"]  # a plugin's title, from its manifest


def test_tables_in_chinese_are_aligned(every_plugin: AppPaths) -> None:
    home = every_plugin.data.parent
    plugins = photoclip(home, "plugins", **ZH).stdout.splitlines()
    assert plugins[0].startswith("插件") and "说明" in plugins[0]
    rows = {line.split()[0]: line for line in plugins[1:] if line and not line.startswith(" ")}
    assert "查找完全相同和近似重复的照片" in rows["duplicates"]
    assert "把标签写入 XMP 附属文件" in rows["xmp"]
    # the descriptions start at the same terminal column as their heading
    column = width(plugins[0][:plugins[0].index("说明")])
    for name, said in (("duplicates", "查找完全相同"), ("xmp", "把标签写入"), ("faces", "人物：")):
        assert width(rows[name][:rows[name].index(said)]) == column, rows[name]
    listed = as_json(photoclip(home, "--json", "plugins", **ZH))["plugins"]
    assert set(listed[0]) == {"name", "description", "api_version", "source", "enabled",
                              "error", "location", "loaded"}  # --json as it was, in English
    assert listed[0]["description"] == "The built-in label sets for automatic tags"
    analyzers = photoclip(home, "analyzers", **ZH).stdout
    assert analyzers.startswith("分析器") and "正在推荐标签" in analyzers  # photoclip's own
    models = photoclip(home, "models", **ZH).stdout
    assert "速度快、各方面都不错的默认模型" in models and "已安装" in models
    assert not english_words(models.replace("KEY", "").replace("FILE", ""))


def test_a_manifest_translates_its_texts() -> None:
    m = parse_manifest({"name": "p", "api_version": 1, "module": "p",
                        "description": "Find `doubles`",
                        "translations": {"zh-CN": {"Find `doubles`": "查找`重复`",
                                                   "Say hello": ""}}},
                       source="user", location="p")
    assert m.translations == {"zh_CN": {"Find doubles": "查找重复"}}
    assert plugin_text(m.translations, m.description, "zh_CN") == "查找重复"
    assert plugin_text(m.translations, "Say hello", "zh_CN") == "Say hello"  # left empty
    assert plugin_text(m.translations, m.description, "en") == "Find doubles"
    for bad in ({"zh_CN": {"a": 1}}, ["x"], {"xx": {"a": "b"}}):
        with pytest.raises(PluginManifestError, match="translations"):
            parse_manifest({"name": "p", "api_version": 1, "module": "p",
                            "translations": bad}, source="user", location="p/plugin.toml")


def test_cells_count_terminal_columns() -> None:
    assert width("插件") == 4 and width("plugin") == 6
    assert cell("插件", 6) + "|" == "插件  |" and cell("12", 4, ">") == "  12"
    assert cell("a long name", 4) == "a long name"  # never cut


def test_every_first_party_plugin_is_translated() -> None:
    for m in find_manifests(first_party=True, entry_points=False):
        if isinstance(m, Manifest) and m.source in ("builtin", "first-party"):
            assert m.description in m.translations.get("zh_CN", {}), m.name


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    set_language("en")



def test_dates_and_tag_messages_in_chinese() -> None:
    import time

    from photoclip.cli.i18n import format_time
    from photoclip.cli.output import tag_change_text, taken_text
    from photoclip.core import tags
    from photoclip.core.tags import TagChange

    when = time.mktime((2024, 5, 3, 9, 5, 0, 0, 0, -1))  # local time
    assert format_time(when) == "2024-05-03 09:05"
    set_language("zh_CN")
    assert format_time(when) == "2024年5月3日 09:05"
    assert taken_text(when, when) == "拍摄于 2024年5月3日 09:05"
    assert taken_text(None, when).startswith("拍摄日期未知（没有 EXIF 日期；文件修改于 2024年")
    change = TagChange("add", "dog", {tags.ADDED: 2, tags.ALREADY_YOURS: 1})
    assert tag_change_text(change) == "add 'dog': 已添加到 2 张照片；1 张照片已经有这个你自己的标签"


def test_the_cores_errors_in_chinese(photoclip_home: AppPaths) -> None:
    import errno

    from photoclip.cli.i18n import _
    from photoclip.core.errors import describe_error, user_message

    home = photoclip_home.data.parent
    proc = photoclip(home, "plugins", "enable", "nosuch", check=False, **ZH)
    assert proc.returncode == 2  # a usage error, as in English
    assert "没有名为 'nosuch' 的插件；可选：" in proc.stderr and "（见 `photoclip plugins list`）" \
        in proc.stderr, proc.stderr
    proc = photoclip(home, "album", "show", "nope", check=False, **ZH)
    assert proc.returncode == 1 and "没有名为 'nope' 的相册（还没有任何相册）" in proc.stderr
    proc = photoclip(home, "tag", "add", "x", "/not/here.jpg", check=False, **ZH)
    assert proc.returncode == 1 and "没有这个文件：/not/here.jpg" in proc.stderr
    english = photoclip(home, "plugins", "enable", "nosuch", check=False).stderr
    assert "no plugin 'nosuch'; choose one of: " in english
    set_language("zh_CN")
    full = OSError(errno.ENOSPC, "No space left on device", "/photos/library")
    assert user_message(full, _) == (
        "磁盘已满（/photos/library）：请腾出一些空间；没有丢失任何内容，索引会继续")
    assert describe_error(RuntimeError("boom"), _) == "出错了：RuntimeError: boom"
    assert user_message(full).startswith("the disk is full (/photos/library)")  # the core: English


def test_a_model_that_cannot_be_used_is_explained_in_chinese() -> None:
    from photoclip.cli.i18n import _
    from photoclip.core.errors import user_message
    from photoclip.core.model_catalogue import CATALOGUE, ModelUnavailableError
    from photoclip.core.model_needs import requirements_message

    error = ModelUnavailableError(requirements_message(CATALOGUE["cn-clip-vit-b-16"],
                                                       ["transformers"]))
    assert error.message.startswith("Model 'cn-clip-vit-b-16' needs the Python package ")
    set_language("zh_CN")
    assert user_message(error, _) == (
        "模型“cn-clip-vit-b-16”需要 Python 包 transformers，但这里没有安装：用 `pip install "
        "'photoclip[multilingual]'` 安装（pipx：`pipx inject photoclip transformers`），然后重新"
        "选择这个模型。")
