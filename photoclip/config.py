"""Where photoclip keeps its files, and the user's settings.

Data, config and cache folders come from appdirs; ``PHOTOCLIP_HOME`` overrides all three
(``$PHOTOCLIP_HOME/data``, ``/config``, ``/cache``), which every test sets. Settings live in
``settings.toml`` in the config folder with a ``schema_version`` so later releases can migrate them.

Users may edit the file by hand: saving goes through tomlkit and changes only the values that
changed, so comments, the order of keys, blank lines and keys photoclip does not know survive.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:  # tomlkit is imported to save settings only (reading them uses tomllib)
    import tomlkit

log = logging.getLogger(__name__)

APP_NAME = "photoclip"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class AppPaths:
    """The folders photoclip writes to."""

    data: Path
    config: Path
    cache: Path

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.toml"

    @property
    def library_dir(self) -> Path:
        """The catalog and the embedded vector store."""
        return self.data / "library"

    @property
    def models_dir(self) -> Path:
        """Downloaded model weights."""
        return self.data / "models"

    @property
    def logs_dir(self) -> Path:
        return self.data / "logs"

    def ensure(self) -> AppPaths:
        for p in (self.data, self.config, self.cache):
            p.mkdir(parents=True, exist_ok=True)
        return self


def app_paths() -> AppPaths:
    """The app's folders: ``PHOTOCLIP_HOME`` if set, else the platform's appdirs."""
    home = os.environ.get("PHOTOCLIP_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return AppPaths(data=root / "data", config=root / "config", cache=root / "cache")
    import appdirs

    return AppPaths(
        data=Path(appdirs.user_data_dir(APP_NAME, False)),
        config=Path(appdirs.user_config_dir(APP_NAME, False)),
        cache=Path(appdirs.user_cache_dir(APP_NAME, False)),
    )


@dataclass
class Settings:
    """The user's settings. Every field has a sensible default."""

    folders: list[str] = field(default_factory=list)
    model: str = ""  # a catalogue key; "" means the catalogue's default
    device: str = "auto"  # auto | cpu | cuda | cuda:N | mps
    precision: str = "auto"  # auto | fp32 | bf16 | fp16 | int8 | onnx-int8 | onnx-fp32
    weights_file: str = ""  # a local weights file for offline installs ("" = download)
    batch_size: int = 32
    decode_workers: int = 0  # 0 = automatic
    decode_pool: str = "auto"  # auto | threads | processes (auto is threads: measured faster)
    torch_threads: int = 0  # 0 = automatic
    max_megapixels: int = 300  # larger images are recorded as failed, never decoded
    exclude: list[str] = field(default_factory=lambda: [".*", "@eaDir", "#recycle", "$RECYCLE.BIN"])
    # automatic tags
    auto_tag: bool = True  # suggest tags from the label sets after indexing
    label_sets: list[str] = field(default_factory=list)  # enabled sets; empty = all available
    tag_strictness: str = "normal"  # strict | normal | loose
    read_keywords: bool = True  # keywords in the files and XMP sidecars become tags
    write_xmp: bool = False  # write the user's tags into XMP sidecars (never the photo itself)
    # plugins and storage
    disabled_plugins: list[str] = field(default_factory=list)  # plugins turned off, by name
    enabled_plugins: list[str] = field(default_factory=list)  # turned on (those off by default)
    chroma_server: str = ""  # "http://host:port" of a Chroma server; "" = the embedded store
    language: str = ""  # the interface's language: "" = the system's, or en | zh_CN
    slideshow_seconds: float = 4.0  # the viewer's slideshow: seconds per photo
    schema_version: int = SCHEMA_VERSION

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read settings; a missing file gives the defaults, unknown keys are kept out."""
        if not path.exists():
            return cls()
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"Cannot read settings file {path}: {exc}") from exc
        raw = migrate(raw)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            log.warning("Ignoring unknown settings in %s: %s", path, ", ".join(unknown))
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, path: Path) -> None:
        """Write settings atomically (a crash never leaves half a file). An existing file keeps
        its comments, order and layout: only the values that changed are rewritten, new keys
        go at the end, keys photoclip does not know are left alone."""
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = _existing_document(path)
        for key, value in asdict(self).items():
            changed = key not in doc or _plain(doc[key]) != value
            if changed and not _edit_array(doc.get(key), value):
                doc[key] = value
        import tomlkit

        tmp = path.with_suffix(".toml.tmp")
        tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
        os.replace(tmp, path)


def _existing_document(path: Path) -> tomlkit.TOMLDocument:
    """The settings file as a layout-keeping document (a new one when missing or unreadable)."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return tomlkit.document()
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:
        backup = path.with_name(path.name + ".unreadable")
        log.warning("Settings file %s is unreadable (%s): kept as %s, writing a new one",
                    path, exc, backup)
        with contextlib.suppress(OSError):
            shutil.copy2(path, backup)
        return tomlkit.document()


def _edit_array(item: Any, value: Any) -> bool:
    """Change a list in place, so the comments beside its items stay: items no longer there
    are deleted, new ones appended. False when that cannot give ``value`` (a new order)."""
    import tomlkit.items

    if not isinstance(item, tomlkit.items.Array) or not isinstance(value, list):
        return False
    old = item.unwrap()
    if len(set(map(repr, old))) != len(old):
        return False  # duplicates: replace the whole list
    kept = [v for v in old if v in value]
    if kept + [v for v in value if v not in kept] != value:
        return False
    for i in reversed(range(len(old))):
        if old[i] not in value:
            del item[i]
    for v in value:
        if v not in kept:
            item.append(v)
    return item.unwrap() == value


def _plain(item: Any) -> Any:
    """A tomlkit item as plain Python values (to compare with a setting)."""
    return item.unwrap() if hasattr(item, "unwrap") else item


class SettingsError(Exception):
    """The settings file exists but cannot be used."""


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """Bring settings written by an older release up to ``SCHEMA_VERSION``."""
    version = int(raw.get("schema_version", SCHEMA_VERSION))
    if version > SCHEMA_VERSION:
        raise SettingsError(
            f"settings were written by a newer photoclip (schema {version}); please upgrade"
        )
    raw["schema_version"] = SCHEMA_VERSION
    return raw
