"""The image tower through ONNX Runtime on the CPU: fast numerics where the CPU has no bf16.

On a CPU without native bf16 torch runs the image tower in fp32; ONNX Runtime's int8 kernels
(VNNI / AVX2 integer dot products) run the same tower 2-3x faster (``bench/index.py``). The ONNX
file is exported *here*, from the open_clip weights the embedder has loaded, on the first image
batch, and cached in ``<models_dir>/.onnx/`` by (model, weights hash, precision): later runs open
it in a fraction of a second, before and without any torch load (the embedder's
``_torch_free_tower``), so an index run with cached label prompts never imports torch.

The first batch of at least :data:`CALIBRATION_MIN` photos is the calibration set: torch fp32
embeds it (those are the vectors returned for it); int8 is quantised statically with the
activation ranges of its first half (so a photo's vector does not depend on its batch); the ONNX
tower embeds the whole batch too, and is used only if every photo's vector is within cosine
:data:`MIN_COSINE` of fp32 *and* every photo keeps the same top-10 neighbours within the batch
(a swap between two neighbours whose fp32 similarities differ by less than :data:`TIE` is a tie,
not a change). Under
``precision = "auto"`` it must also be faster on this CPU (CPU-seconds on the same batch): the
verdict is remembered per weights, so it is measured once. ``onnx-int8`` / ``onnx-fp32`` skip
the speed test but not the accuracy test. Any failure (export, quantisation, a damaged cache
file, an ONNX Runtime error) logs one line and leaves the image tower in torch: indexing goes on.

Memory: the export frees torch's image tower once the fp32 file is written and quantises in a
short-lived child process, in two phases (:mod:`~photoclip.core.onnx_quantize`). The text tower
has its own ONNX file and verdict by the same rules (:mod:`~photoclip.core.onnx_text`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from photoclip.core.model_catalogue import ModelSpec
from photoclip.core.model_facts import ModelFacts, fingerprint
from photoclip.core.onnx_quantize import quantize, trim_memory

__all__ = [
    "CALIBRATION_MIN", "MIN_COSINE", "OnnxImageTower", "TorchTowerNeeded", "Verdict",
    "export_files", "judge", "open_session", "weights_id",
]

log = logging.getLogger(__name__)

CALIBRATION_MIN = 16  # photos in the batch that checks and times the ONNX tower
MIN_COSINE = 0.99  # every calibration photo's vector at least this close to fp32's
TOP_K = 10  # ... and the same top-10 neighbours
TIE = 1e-3  # fp32 similarity gap below which two neighbours may swap places
FASTER = 0.9  # auto: ONNX must take at most this share of torch's CPU time
OPSET = 17
CACHE_DIR = ".onnx"


def weights_id(path: Path | None) -> str:
    """A short hash of a weights file (size, first and last MiB: cheap on a 1 GB file, and every
    checkpoint differs there); "random" for randomly initialised models (seeded by their key)."""
    if path is None:
        return "random"
    digest = hashlib.sha256()
    size = path.stat().st_size
    digest.update(str(size).encode())
    with path.open("rb") as f:
        digest.update(f.read(1 << 20))
        if size > 2 << 20:
            f.seek(-(1 << 20), os.SEEK_END)
            digest.update(f.read())
    return digest.hexdigest()[:16]


class TorchTowerNeeded(RuntimeError):
    """The ONNX tower failed after torch's image tower was freed: the embedder loads it again."""


# ----- the accuracy and speed verdict ----------------------------------------------------------


class Verdict(dict):  # type: ignore[type-arg]
    """What the calibration batch showed (a JSON-able dict: remembered in the model's facts)."""

    @property
    def use_onnx(self) -> bool:
        return bool(self.get("use"))


def _top(sims: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-sims, axis=1, kind="stable")[:, :k]


def _changed(ref_sims: np.ndarray, cand_sims: np.ndarray, k: int) -> int:
    """Rows whose top-``k`` columns differ between the two similarity matrices, where a
    newcomer that ties (within :data:`TIE`, in fp32) with fp32's k-th column is not a change."""
    ref_top, cand_top = _top(ref_sims, k), _top(cand_sims, k)
    changed = 0
    for i in range(len(ref_sims)):
        gained = set(cand_top[i].tolist()) - set(ref_top[i].tolist())
        if gained:  # a real change unless each newcomer ties with fp32's k-th neighbour
            kth = ref_sims[i, ref_top[i, -1]]
            if any(kth - ref_sims[i, j] > TIE for j in gained):
                changed += 1
    return changed


def _self_sims(vecs: np.ndarray) -> np.ndarray:
    sims = vecs @ vecs.T
    np.fill_diagonal(sims, -np.inf)
    return sims


def judge(
    reference: np.ndarray, candidate: np.ndarray, *, torch_s: float, onnx_s: float, timed: bool,
    probes: np.ndarray | None = None,
) -> Verdict:
    """Compare ``candidate`` vectors with the fp32 ``reference`` (both (N, D), unit length) and
    the CPU-seconds each took; ``timed``: ONNX must also be faster (``auto``). Neighbours: each
    row's top-10 among the others (images), or with ``probes`` (P, D) each probe's top-10 rows
    (labels for photos' image vectors: the text tower)."""
    cos = np.sum(reference * candidate, axis=1)
    if probes is None or not len(probes):
        k = min(TOP_K, len(reference) - 1)
        changed = _changed(_self_sims(reference), _self_sims(candidate), k)
    else:
        k = min(TOP_K, len(reference))
        changed = _changed(probes @ reference.T, probes @ candidate.T, k)
    accurate = bool(cos.min() >= MIN_COSINE and changed == 0)
    faster = onnx_s <= FASTER * torch_s
    return Verdict(
        use=accurate and (faster or not timed), accurate=accurate,
        min_cosine=round(float(cos.min()), 6), changed_neighbours=changed,
        photos=len(reference), torch_ms=round(torch_s * 1000, 1),
        onnx_ms=round(onnx_s * 1000, 1), timed=timed,
    )


# ----- export ----------------------------------------------------------------------------------


def _image_tower(model: Any) -> Any:
    """``model.encode_image`` as a module (projection included, not normalised)."""
    import torch

    class ImageTower(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, pixels: Any) -> Any:
            return self.model.encode_image(pixels)

    return ImageTower()


@contextlib.contextmanager
def exporting() -> Iterator[None]:
    """What torch's TorchScript ONNX exporter needs: MultiheadAttention's inference fast path
    off (it has no ONNX export: the plain ops instead), gradients off, its warnings quiet."""
    import torch

    fastpath = torch.backends.mha.get_fastpath_enabled()
    try:
        torch.backends.mha.set_fastpath_enabled(False)
        with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
            warnings.simplefilter("ignore")  # the TorchScript exporter is deprecated; it works
            yield
    finally:
        torch.backends.mha.set_fastpath_enabled(fastpath)


def export_files(
    module: Any, args: tuple[np.ndarray, ...], target: Path, precision: str, *, input_name: str,
    dynamic_axes: dict[str, dict[int, str]], calibration: list[dict[str, np.ndarray]] | None,
    release: Callable[[], None] | None = None, keep_fp32: Path | None = None,
) -> None:
    """Export ``module`` (example inputs ``args``, arrays: one input and one output, "features")
    to ``target``: fp32, or int8 quantised with the activation ranges ``calibration`` reaches
    (:mod:`~photoclip.core.onnx_quantize`). ``release()`` is called once the fp32 file is
    written (the caller frees torch's copy of the tower before quantising); ``keep_fp32``:
    where int8's fp32 file is kept too. Written beside ``target`` and moved into place."""
    import torch

    target.parent.mkdir(parents=True, exist_ok=True)
    stem = target.parent / f".{target.stem}.{os.getpid()}"
    fp32, int8 = stem.with_suffix(".fp32.tmp"), stem.with_suffix(".int8.tmp")
    try:
        with exporting():  # the inputs made here: not inference tensors of the caller's mode
            inputs = tuple(torch.from_numpy(np.ascontiguousarray(a)) for a in args)
            torch.onnx.export(module, inputs, str(fp32), dynamo=False, opset_version=OPSET,
                              input_names=[input_name], output_names=["features"],
                              dynamic_axes=dynamic_axes)
        del module
        trim_memory()  # the exporter's copies of the weights
        if release is not None:
            release()
        if precision == "onnx-int8":
            if not calibration:
                raise ValueError("int8 needs calibration inputs")
            quantize(fp32, int8, calibration)
            os.replace(int8, target)
            if keep_fp32 is not None:
                os.replace(fp32, keep_fp32)
        else:
            os.replace(fp32, target)
    finally:
        for tmp in (fp32, int8):
            with contextlib.suppress(OSError):
                tmp.unlink()


def export(
    model: Any, image_size: tuple[int, int], target: Path, precision: str,
    calibration: np.ndarray | None = None, release: Callable[[], None] | None = None,
) -> None:
    """Export ``model``'s image tower (fp32, on the CPU) to ``target``: fp32, or int8 (static:
    int8 weights, activations at the fixed ranges ``calibration``'s photos reach, so a photo's
    vector does not depend on the batch it is in, as it would with dynamic quantisation)."""
    x = np.zeros((2, 3, *image_size), dtype=np.float32)
    feeds = None if calibration is None else [{"pixels": np.ascontiguousarray(calibration)}]
    export_files(_image_tower(model), (x,), target, precision, input_name="pixels",
                 dynamic_axes={"pixels": {0: "n"}, "features": {0: "n"}}, calibration=feeds,
                 release=release)


def open_session(path: Path, threads: int) -> Any:
    """An ONNX Runtime CPU session for ``path`` (threads: 0 = ONNX Runtime's default). Idle
    threads sleep instead of spinning: the decode workers need those cores."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    if threads > 0:
        opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def _unit(features: np.ndarray) -> np.ndarray:
    features = np.asarray(features, dtype=np.float32)
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    return features / np.maximum(norms, 1e-12)


# ----- the embedder's image tower ---------------------------------------------------------------


class OnnxImageTower:
    """The ONNX image tower of one embedder: decided on its first calibration batch (or from the
    remembered verdict), then used for every image call; torch until then and if it loses."""

    def __init__(
        self, spec: ModelSpec, models_dir: Path, facts: ModelFacts, precision: str, *,
        timed: bool, threads: int = 0,
    ) -> None:
        self.spec = spec
        self.models_dir = Path(models_dir)
        self.facts = facts
        self.precision = precision  # onnx-int8 or onnx-fp32
        self.timed = timed  # auto: must be faster than torch
        self.threads = threads
        self.session: Any = None
        self.state = "undecided"  # then "onnx" or "torch"
        self.source = ""  # "cache" or "export" once the session is open
        self.verdict: Verdict | None = None
        self._model: Any = None
        self._wid = ""
        self.broken = False  # failed while in use: torch from now on

    @property
    def active(self) -> bool:
        return self.state == "onnx"

    def cache_file(self) -> Path:
        return (self.models_dir / CACHE_DIR
                / f"{fingerprint(self.spec)}-{self._wid}-{self.precision}.onnx")

    def _key(self) -> str:
        return f"{self._wid}|{self.precision}|{'auto' if self.timed else 'explicit'}"

    def _remembered(self, weights: Path | None) -> Verdict | None:
        try:
            self._wid = weights_id(weights)
        except OSError as exc:
            log.warning("ONNX image tower off: cannot read the weights (%s)", exc)
            self.broken = True
            return None
        record = (self.facts.onnx_verdicts() or {}).get(self._key())
        return Verdict(record) if isinstance(record, dict) else None

    def ready(self, weights: Path | None) -> bool:
        """Whether a load can leave out torch's image tower: a remembered "use" verdict and
        its cached file."""
        verdict = self._remembered(weights)
        return (not self.broken and verdict is not None and verdict.use_onnx
                and self.cache_file().is_file())

    def attach(self, model: Any, weights: Path | None, image_size: tuple[int, int]) -> None:
        """Called after each full load with the torch model (fp32, CPU) the tower is exported
        from (its image tower may be absent where :meth:`ready` said so). A remembered verdict
        with its cached file decides at once."""
        self._model, self._size = model, tuple(image_size)
        self.session, self.state, self.source = None, "undecided", ""
        self.verdict = self._remembered(weights)
        if self.broken or (self.verdict is not None and not self.verdict.use_onnx):
            self.state = "torch"
        elif self.verdict is not None and self.cache_file().is_file() and self._open():
            self.source = "cache"
            self._activate()

    def _activate(self) -> None:
        """Use the ONNX tower and free torch's image tower (hundreds of MB)."""
        self.state = "onnx"
        self._free_torch_tower()

    def _free_torch_tower(self) -> None:
        """Free torch's image tower (also once the fp32 file is exported, before quantising:
        the calibration batch's torch vectors are taken; if ONNX then loses, a later batch
        loads it again: :class:`TorchTowerNeeded`)."""
        if getattr(self._model, "visual", None) is not None:
            self._model.visual = None
            trim_memory()

    def _open(self) -> bool:
        try:
            self.session = open_session(self.cache_file(), self.threads)
            return True
        except Exception as exc:  # a damaged or foreign file: exported again
            log.warning("The cached ONNX image tower %s cannot be opened (%s); exporting it "
                        "again", self.cache_file().name, str(exc).splitlines()[0][:200])
            with contextlib.suppress(OSError):
                self.cache_file().unlink()
            self.session = None
            return False

    def run(self, pixels: np.ndarray) -> np.ndarray:
        """Unit vectors from the ONNX tower (only while ``active``)."""
        out = self.session.run(["features"], {"pixels": np.ascontiguousarray(pixels)})[0]
        return _unit(out)

    def embed(self, pixels: np.ndarray, torch_embed: Callable[[np.ndarray], np.ndarray]
              ) -> np.ndarray:
        """Unit vectors for ``pixels``: ONNX once chosen; the first big enough batch decides."""
        if self.state == "onnx":
            try:
                return self.run(pixels)
            except Exception as exc:
                log.warning("The ONNX image tower failed (%s); using torch", _first_line(exc))
                self.state, self.session, self.broken = "torch", None, True
                if getattr(self._model, "visual", None) is None:
                    raise TorchTowerNeeded(str(exc)) from exc
        if self.state == "torch" and getattr(self._model, "visual", None) is None:
            raise TorchTowerNeeded("torch's image tower was freed for the export")
        if self.state == "torch" or len(pixels) < CALIBRATION_MIN:
            return torch_embed(pixels)
        half = len(pixels) // 2  # the first half warms torch up; the second half is timed
        first = torch_embed(pixels[:half])
        t = time.process_time()
        second = torch_embed(pixels[half:])
        torch_s = (time.process_time() - t) * len(pixels) / (len(pixels) - half)
        reference = np.concatenate([first, second])
        self._decide(pixels, reference, torch_s)
        return reference

    def _decide(self, pixels: np.ndarray, reference: np.ndarray, torch_s: float) -> None:
        try:
            if self.session is None:
                if not self.cache_file().is_file() or not self._open():
                    t = time.perf_counter()
                    export(self._model, self._size, self.cache_file(), self.precision,
                           calibration=pixels[: CALIBRATION_MIN // 2],
                           release=self._free_torch_tower)
                    log.info("Exported the image tower of %s to ONNX (%s) in %.1f s",
                             self.spec.key, self.precision, time.perf_counter() - t)
                    if not self._open():
                        raise RuntimeError("the exported file cannot be opened")
                    self.source = "export"
                else:
                    self.source = "cache"
            self.run(pixels[:2])  # warm-up: the first run allocates its buffers
            t = time.process_time()
            candidate = self.run(pixels)
            onnx_s = time.process_time() - t
        except Exception as exc:
            log.warning("ONNX image tower for %s not available (%s); the image tower stays in "
                        "torch", self.spec.key, _first_line(exc))
            log.debug("ONNX export failed", exc_info=True)
            self.state, self.session, self.broken = "torch", None, True
            return
        self.verdict = judge(reference, candidate, torch_s=torch_s, onnx_s=onnx_s,
                             timed=self.timed)
        self.facts.remember_onnx_verdict(self._key(), dict(self.verdict))
        log.info("ONNX image tower (%s) on %d photos: min cosine %.5f, %d changed top-%d "
                 "lists, %.0f vs torch %.0f CPU-ms: %s", self.precision, len(pixels),
                 self.verdict["min_cosine"], self.verdict["changed_neighbours"], TOP_K,
                 onnx_s * 1000, torch_s * 1000, "used" if self.verdict.use_onnx else "not used")
        if self.verdict.use_onnx:
            self._activate()
        else:
            self.state, self.session = "torch", None
            if not self.timed:
                log.warning("The %s image tower is not accurate enough for %s on these photos; "
                            "using torch fp32", self.precision, self.spec.key)

    def detach(self) -> None:
        """Forget the torch model and the session (the embedder closed)."""
        self._model = self.session = None
        self.state = "undecided"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]
