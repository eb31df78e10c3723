"""The PyInstaller spec and launcher, checked without PyInstaller (the build is build.sh's)."""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from pathlib import Path
from typing import Any, ClassVar

import pytest

from photoclip.desktop_entry import APP_ID
from tests.packaging.paths import PACKAGING, REPO

SPEC = PACKAGING / "pyinstaller" / "photoclip.spec"


class _Recorder:
    """Stands in for one of PyInstaller's build classes (Analysis, EXE, ...)."""

    made: ClassVar[list[tuple[str, tuple, dict]]] = []

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self, *args: Any, **kwargs: Any) -> types.SimpleNamespace:
        _Recorder.made.append((self.kind, args, kwargs))
        return types.SimpleNamespace(kind=self.kind, pure=[], scripts=[], binaries=[],
                                     datas=[], name=kwargs.get("name"))


_SPEC_NAMESPACE: dict[str, Any] = {}


def _run_spec(monkeypatch: pytest.MonkeyPatch, platform: str) -> dict[str, list]:
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda *a, **k: []
    hooks.collect_submodules = lambda name, *a, **k: [name]  # the package asked for
    hooks.copy_metadata = lambda *a, **k: []
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "platform", platform)
    _Recorder.made = []
    namespace = {"SPECPATH": str(SPEC.parent), "__file__": str(SPEC)}
    for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"):
        namespace[kind] = _Recorder(kind)
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    _SPEC_NAMESPACE.clear()
    _SPEC_NAMESPACE.update(namespace)
    made: dict[str, list] = {}
    for kind, args, kwargs in _Recorder.made:
        made.setdefault(kind, []).append((args, kwargs))
    return made


def test_spec_builds_gui_and_cli(monkeypatch: pytest.MonkeyPatch, pyproject: dict) -> None:
    made = _run_spec(monkeypatch, "linux")
    [(scripts, analysis)] = made["Analysis"]
    assert Path(scripts[0][0]) == PACKAGING / "pyinstaller" / "launcher.py"
    # the onnx-int8 image tower runs on ONNX Runtime + onnx (it was excluded: the bundle fell
    # back to torch); transformers finds Chinese-CLIP's modules by name at run time
    assert not {"onnxruntime", "onnx"} & set(analysis["excludes"])
    hidden = set(analysis["hiddenimports"])
    assert {"onnxruntime", "onnxruntime.quantization", "onnx"} <= hidden
    if importlib.util.find_spec("transformers") is not None:
        assert {"transformers.models.chinese_clip", "transformers.models.xlm_roberta"} <= hidden
    # the first-party plugins go in as folders, what they import into the analysis
    dests = {dest.replace("\\", "/") for _, dest in analysis["datas"]}
    for manifest in (REPO / "plugins").glob("*/plugin.toml"):
        assert f"plugins/{manifest.parent.name}" in dests
    assert "photoclip.plugin_api" in analysis["hiddenimports"]
    exes = {kw["name"]: kw for _, kw in made["EXE"]}
    name = pyproject["project"]["name"]
    assert exes[f"{name}-gui"]["console"] is False and exes[name]["console"] is True
    [(_, coll)] = made["COLLECT"]
    assert coll["name"] == name
    assert "BUNDLE" not in made
    # the GUI executable is the pip gui-script's name: one name everywhere
    assert f"{name}-gui" in pyproject["project"]["gui-scripts"]


def test_spec_macos_bundle(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    made = _run_spec(monkeypatch, "darwin")
    [(_, bundle)] = made["BUNDLE"]
    assert bundle["name"] == "photoclip.app" and bundle["bundle_identifier"] == APP_ID
    assert bundle["version"] == version
    assert bundle["info_plist"]["CFBundleShortVersionString"] == version
    assert Path(bundle["icon"]).is_file()
    assert all(Path(kw["icon"]).suffix == ".icns" for _, kw in made["EXE"])


def test_spec_windows_icon(monkeypatch: pytest.MonkeyPatch) -> None:
    made = _run_spec(monkeypatch, "win32")
    for _, kw in made["EXE"]:
        assert Path(kw["icon"]) == PACKAGING / "windows" / "photoclip.ico"


@pytest.fixture()
def launcher(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(
        "photoclip_launcher", PACKAGING / "pyinstaller" / "launcher.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    calls: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(module, "_cli", lambda argv: calls.append(("cli", argv)) or 0)
    monkeypatch.setattr(module, "_gui", lambda argv: calls.append(("gui", argv)) or 0)
    module.calls = calls
    return module


@pytest.mark.parametrize(
    ("exe", "argv", "expected"),
    [
        ("/opt/photoclip/photoclip-gui", [], ("gui", [])),
        ("C:/photoclip/photoclip-gui.exe", ["x.jpg"], ("gui", ["x.jpg"])),
        ("/opt/photoclip/photoclip", ["search", "dog"], ("cli", ["search", "dog"])),
        ("C:/photoclip/photoclip.exe", ["status"], ("cli", ["status"])),
        ("/Applications/photoclip.app/Contents/MacOS/photoclip-gui", ["--cli", "index"],
         ("cli", ["index"])),
    ],
)
def test_launcher_dispatch(launcher: types.ModuleType, monkeypatch: pytest.MonkeyPatch,
                           exe: str, argv: list[str], expected: tuple) -> None:
    monkeypatch.setattr(sys, "executable", exe)
    monkeypatch.setattr(sys, "argv", [exe, *argv])
    assert launcher.main() == 0
    assert launcher.calls == [expected]


def test_build_scripts_are_executable() -> None:
    for name in ("build.sh", "smoke-test.sh"):
        path = PACKAGING / "pyinstaller" / name
        assert path.is_file() and path.stat().st_mode & 0o111, name
    assert (REPO / "docs" / "packaging.md").is_file()


def test_spec_leaves_out_what_nothing_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    _run_spec(monkeypatch, "linux")
    keep = _SPEC_NAMESPACE["_keep"]
    dropped = [
        "torch/test/test_api", "torch/include/ATen/ATen.h", "torch/bin/test_jit",
        "torch/lib/libtorchbind_test.so", "torch/lib/libfoo.a", "torch/lib/torch_cpu.lib",
        "PySide6/Qt/translations/qtbase_de.qm", "PySide6/translations/qt_fr.qm",
        "PySide6/Qt/plugins/platforms/libqeglfs.so", "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/platforms/libqlinuxfb.so",
        "PySide6/Qt/plugins/platforms/libqminimalegl.so",
        "PySide6/Qt/plugins/generic/libqevdevmouseplugin.so",
        "PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-x11-integration.so",
        "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/plugins/networkinformation/qnetworklistmanager.dll",
        "PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6",
    ]
    kept = [
        "torch/bin/torch_shm_manager", "torch/lib/libtorch_cpu.so", "torch/lib/libc10.so",
        "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqminimal.so", "PySide6/plugins/platforms/qwindows.dll",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so", "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt/lib/libQt6XcbQpa.so.6", "PySide6/QtNetwork.abi3.so",
        "torch/testing/_internal/common_utils.py",
        "PySide6/Qt/translations/qtbase_zh_CN.qm",  # the Chinese interface's OK and Cancel
    ]
    assert [d for d in dropped if keep((d, "", "BINARY"))] == []
    assert [k for k in kept if not keep((k, "", "BINARY"))] == []


def test_identical_linux_executables_become_one_file(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path, pyproject: dict) -> None:
    _run_spec(monkeypatch, "linux")
    share = _SPEC_NAMESPACE["share_identical_executables"]
    name = pyproject["project"]["name"]
    (tmp_path / f"{name}-gui").write_bytes(b"\x7fELF same bootloader and archive")
    (tmp_path / name).write_bytes(b"\x7fELF same bootloader and archive")
    (tmp_path / name).chmod(0o755)
    assert share(tmp_path) is True
    assert os.path.samefile(tmp_path / name, tmp_path / f"{name}-gui")
    assert share(tmp_path) is False  # already one file
    (tmp_path / name).unlink()
    (tmp_path / name).write_bytes(b"different")  # e.g. a console flag that matters
    assert share(tmp_path) is False
    assert (tmp_path / name).read_bytes() == b"different"
    monkeypatch.setattr(sys, "platform", "win32")
    assert share(tmp_path) is False


def test_build_is_niced() -> None:
    script = (PACKAGING / "pyinstaller" / "build.sh").read_text(encoding="utf-8")
    [line] = [ln for ln in script.splitlines() if "-m PyInstaller --noconfirm" in ln]
    assert line.lstrip().startswith('nice -n "${NICE:-10}" ')
