#!/usr/bin/env python3
"""Update the interface's translations from the code, then compile them.

Run it after adding or changing a GUI string (``tr("Text")`` in photoclip/gui, see
photoclip/gui/i18n.py):

    python scripts/update_translations.py

It (1) collects every ``tr("...")`` / ``N_("...")`` text of photoclip/gui into each
``photoclip/data/i18n/photoclip_<lang>.ts`` (new texts unfinished, texts no longer used
dropped, the rest kept), (2) lists what is still untranslated and any string given to a widget
without ``tr``, and (3) compiles each ``.ts`` into the ``.qm`` the app loads (Qt's ``lrelease``,
shipped with PySide6) and each CLI ``.po`` into its ``.mo``. Translate the listed texts in the
``.ts`` (Qt Linguist, or an editor: fill ``<translation>`` and drop ``type="unfinished"``), then
run it again. ``--check`` changes nothing and exits 1 when anything is out of date.

The CLI's ``_("...")`` texts of photoclip/cli go into ``photoclip_cli_<lang>.po`` the same way.
Sentences the core builds for every front (``core.folders.ADDITION_TEXTS``,
``core.browse.SHOWN_COUNT_TEXTS``: each front passes its translation, ``plan.describe(tr)``)
are listed in :func:`core_texts` and go into both. The checker cannot see a text built in the
core and shown as it is, nor a CLI ``print`` without ``_()``: look for those by hand.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from photoclip.cli.i18n import ARGPARSE_TEXTS, compile_po, parse_po  # noqa: E402
from photoclip.languages import I18N_DIR, LANGUAGES  # noqa: E402

GUI_SOURCES = REPO / "photoclip" / "gui"
CLI_SOURCES = REPO / "photoclip" / "cli"
CONTEXT = "photoclip"  # photoclip.gui.i18n.CONTEXT
#: Qt calls whose string arguments the user sees: a literal there must go through tr().
SHOWN = frozenset({
    "setText", "setWindowTitle", "setToolTip", "setStatusTip", "setPlaceholderText", "setTitle",
    "addMenu", "addAction", "addItem", "addItems", "addTab", "addRow", "addButton",
    "setHeaderLabels", "setHorizontalHeaderLabels", "setLabelText", "setWhatsThis",
    "show_message", "setSpecialValueText", "setSuffix", "setPrefix", "setFormat", "setSubTitle",
    "setButtonText", "setInformativeText", "setDetailedText", "showMessage", "setTabText",
    "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction", "QToolButton",
    "information", "warning", "critical", "question", "getText", "getItem", "getOpenFileName",
    "getExistingDirectory", "getSaveFileName",
})

Key = tuple[str, str]  # (source, disambiguation)


@dataclass
class Extracted:
    messages: dict[Key, list[str]] = field(default_factory=dict)  # -> where ("file:line")
    problems: list[str] = field(default_factory=list)


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


#: Literals shown as they are in every language.
UNTRANSLATED = frozenset({"photoclip", "CLIP", "CPU", "RGB"})


def _has_words(node: ast.expr) -> bool:
    """Whether ``node`` is a text a person reads (not a kind such as "error", not a name)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
        if text in UNTRANSLATED or not any(c.isalpha() for c in text):
            return False
        return " " in text or text[:1].isupper() or text.startswith("&")
    if isinstance(node, ast.JoinedStr):
        return any(_has_words(v) for v in node.values if isinstance(v, ast.Constant))
    return False


def extract(sources: list[Path] | None = None) -> Extracted:
    """Every text the GUI translates, and the places that break the rules (an f-string or an
    expression inside ``tr``; a literal given to a widget without ``tr``)."""
    out = Extracted()
    for path in sources or sorted(GUI_SOURCES.rglob("*.py")):
        rel = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name, where = _name(node.func), f"{rel}:{node.lineno}"
            if isinstance(node.func, ast.Name) and name in ("tr", "N_"):
                if not node.args:
                    continue
                first = node.args[0]
                comment = node.args[1] if len(node.args) > 1 else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    dis = comment.value if isinstance(comment, ast.Constant) else ""
                    out.messages.setdefault((first.value, dis or ""), []).append(where)
                elif not isinstance(first, (ast.Name, ast.Attribute, ast.Subscript)):
                    out.problems.append(f"{where}: {name}() needs a literal text (put values in "
                                        "with .format() after it, not an f-string inside)")
            elif name in SHOWN and not (isinstance(node.func, ast.Attribute)
                                        and _name(node.func.value) in ("log", "logging")):
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    if _has_words(arg):
                        out.problems.append(f"{where}: a text given to {name}() without tr()")
    if sources is None:
        data_texts(out)
    return out


def core_texts() -> dict[str, str]:
    """The sentences the core builds for every front from templates it lists (each front
    passes its translation, e.g. ``plan.describe(tr)``): {template: where}. A new such list in
    the core is added here."""
    import importlib

    from photoclip.core.browse import SHOWN_COUNT_TEXTS
    from photoclip.core.folders import ADDITION_TEXTS
    from photoclip.core.said import SAID_TEXTS

    for path in sorted((REPO / "photoclip" / "core").rglob("*.py")):  # each module that says
        if "photoclip.core.said import" in path.read_text(encoding="utf-8"):  # things lists them
            importlib.import_module(".".join(path.relative_to(REPO).with_suffix("").parts))

    return {**{t: "photoclip/core/browse.py:SHOWN_COUNT_TEXTS" for t in SHOWN_COUNT_TEXTS},
            **{t: "photoclip/core/folders.py:ADDITION_TEXTS" for t in ADDITION_TEXTS},
            **{t: "photoclip/core/said.py:SAID_TEXTS" for t in SAID_TEXTS}}


def data_texts(out: Extracted) -> None:
    """Texts the GUI shows from the core: the model catalogue's descriptions (shown as
    ``tr(spec.description, "model")``) and the core's sentence templates (:func:`core_texts`)."""
    from photoclip.core.model_catalogue import CATALOGUE

    for spec in CATALOGUE.values():
        out.messages.setdefault((spec.description, "model"), []).append(
            f"photoclip/core/model_catalogue.py:{spec.key}")
    for text, where in core_texts().items():
        out.messages.setdefault((text, ""), []).append(where)


def read_ts(ts: Path) -> dict[Key, tuple[str, bool]]:
    """(source, disambiguation) -> (translation, finished) of a ``.ts`` file."""
    if not ts.exists():
        return {}
    out = {}
    for message in ET.parse(ts).getroot().iter("message"):
        tr = message.find("translation")
        text = (tr.text or "") if tr is not None else ""
        finished = tr is not None and tr.get("type") is None and bool(text.strip())
        key = (message.findtext("source", ""), message.findtext("comment", ""))
        out[key] = (text, finished)
    return out


def render_ts(language: str, messages: dict[Key, list[str]],
              old: dict[Key, tuple[str, bool]]) -> str:
    """The ``.ts`` for ``messages`` (sorted by text, so merges touch few lines), keeping the
    translations in ``old``."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>",
             f'<TS version="2.1" language="{language}" sourcelanguage="en">', "<context>",
             f"    <name>{CONTEXT}</name>"]
    for key in sorted(messages):
        source, comment = key
        text, finished = old.get(key, ("", False))
        lines.append("    <message>")
        lines.append(f"        <source>{escape(source)}</source>")
        if comment:
            lines.append(f"        <comment>{escape(comment)}</comment>")
        state = "" if finished else ' type="unfinished"'
        lines.append(f"        <translation{state}>{escape(text)}</translation>")
        lines.append("    </message>")
    lines += ["</context>", "</TS>", ""]
    return "\n".join(lines)


#: CLI calls whose first argument a person reads: a literal there must go through _().
CLI_SHOWN = frozenset({"print", "CommandFailed", "UsageError"})


def extract_cli(sources: list[Path] | None = None) -> Extracted:
    """Every text the CLI translates (``_("...")``, ``N_("...")`` in photoclip/cli, and
    argparse's own words), and any ``_()`` around something other than a literal."""
    out = Extracted()
    for text in ARGPARSE_TEXTS:
        out.messages[(text, "")] = ["argparse"]
    if sources is None:
        from photoclip.core.model_catalogue import CATALOGUE

        for text, where in core_texts().items():
            out.messages.setdefault((text, ""), []).append(where)
        for spec in CATALOGUE.values():  # `photoclip models` shows them as _(spec.description)
            out.messages.setdefault((spec.description, ""), []).append(
                f"photoclip/core/model_catalogue.py:{spec.key}")
    for path in sources or sorted(CLI_SOURCES.rglob("*.py")):
        rel = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Call):
                continue
            if _name(node.func) in ("add_argument", "add_parser", "ArgumentParser", "_Parser"):
                out.problems += [f"{rel}:{node.lineno}: {k.arg}= without _()"
                                 for k in node.keywords
                                 if k.arg in ("help", "description", "epilog")
                                 and _has_words(k.value)]
            if not isinstance(node.func, ast.Name):
                continue
            if node.func.id in CLI_SHOWN:
                out.problems += [f"{rel}:{node.lineno}: a text given to {node.func.id}() "
                                 "without _()" for arg in node.args[:1] if _has_words(arg)]
            if node.func.id not in ("_", "N_") or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                out.messages.setdefault((first.value, ""), []).append(f"{rel}:{node.lineno}")
            elif not isinstance(first, (ast.Name, ast.Attribute, ast.Subscript)):
                out.problems.append(f"{rel}:{node.lineno}: _() needs a literal text (put values "
                                    "in with .format() after it, not an f-string inside)")
    return out


def _po_string(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\t", "\\t"))
    return f'"{escaped}"'


def po_path(language: str) -> Path:
    return I18N_DIR / f"photoclip_cli_{language}.po"


def render_po(language: str, messages: dict[Key, list[str]], old: dict[str, str]) -> str:
    """The CLI's ``.po`` for ``messages`` (sorted; untranslated ones have an empty msgstr)."""
    lines = ['# photoclip command line, ' + LANGUAGES[language] + '. Update with',
             '# python scripts/update_translations.py', 'msgid ""', 'msgstr ""',
             '"Content-Type: text/plain; charset=UTF-8\\n"',
             f'"Language: {language}\\n"', ""]
    for source, _ in sorted(messages):
        lines.append(f"msgid {_po_string(source)}")
        lines.append(f"msgstr {_po_string(old.get(source, ''))}")
        lines.append("")
    return "\n".join(lines)


def qt_tool(name: str) -> str:
    """Path of PySide6's ``lrelease`` (the PySide6 package ships it)."""
    here = Path(sys.executable).parent
    for candidate in (here / f"pyside6-{name}", here / f"pyside6-{name}.exe"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(f"pyside6-{name}")
    if found:
        return found
    import PySide6

    pkg = Path(PySide6.__file__).parent
    for candidate in (pkg / name, pkg / f"{name}.exe", pkg / "Qt" / "libexec" / name):
        if candidate.exists():
            return str(candidate)
    raise SystemExit(f"cannot find Qt's {name}: install PySide6 (pip install PySide6-Essentials)")


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([qt_tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def ts_path(language: str) -> Path:
    return I18N_DIR / f"photoclip_{language}.ts"


def translated_languages() -> list[str]:
    return [code for code in LANGUAGES if code != "en"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a catalogue is out of date")
    args = parser.parse_args(argv)
    found = extract()
    problems = list(found.problems)
    for language in translated_languages():
        ts = ts_path(language)
        old = read_ts(ts)
        text = render_ts(language, found.messages, old)
        missing = [k[0] for k in sorted(found.messages) if not old.get(k, ("", False))[1]]
        problems += [f"untranslated in {ts.name}: {m!r}" for m in missing]
        current = ts.read_text(encoding="utf-8") if ts.exists() else ""
        if text != current:
            if args.check:
                problems.append(f"{ts.relative_to(REPO)} is out of date with the code")
            else:
                ts.write_text(text, encoding="utf-8")
        qm = ts.with_suffix(".qm")
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / ts.name
            src.write_text(text, encoding="utf-8")
            built = Path(tmp) / qm.name
            lrelease(src, built)
            if not qm.exists() or built.read_bytes() != qm.read_bytes():
                if args.check:
                    problems.append(f"{qm.relative_to(REPO)} is out of date with its .ts")
                else:
                    shutil.copy(built, qm)
    cli = extract_cli()
    problems += cli.problems
    for language in translated_languages():
        po = po_path(language)
        old = {k: v for k, v in (parse_po(po) if po.exists() else {}).items() if k}
        text = render_po(language, cli.messages, old)
        problems += [f"untranslated in {po.name}: {k[0]!r}" for k in sorted(cli.messages)
                     if not old.get(k[0])]
        current = po.read_text(encoding="utf-8") if po.exists() else ""
        if text != current:
            if args.check:
                problems.append(f"{po.relative_to(REPO)} is out of date with the code")
            else:
                po.write_text(text, encoding="utf-8")
    for po in sorted(I18N_DIR.glob("*.po")):
        mo = po.with_suffix(".mo")
        data = compile_po(po)
        if not mo.exists() or mo.read_bytes() != data:
            if args.check:
                problems.append(f"{mo.relative_to(REPO)} is out of date with its .po")
            else:
                mo.write_bytes(data)
    for p in problems:
        print(p)
    if problems and not args.check:
        print("Fix or translate the above, then run this script again.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
