"""`photoclip models [list|use|download]`: the model catalogue."""

from __future__ import annotations

import argparse
from pathlib import Path

from photoclip.cli.i18n import _
from photoclip.cli.output import ProgressBar, emit_json
from photoclip.core.library import Library
from photoclip.core.models import download_weights, get_model_spec


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help=_("the model catalogue: installed, in use"))
    msub = p.add_subparsers(dest="action")
    msub.add_parser("list", help=_("list models (default)"))
    u = msub.add_parser("use", help=_("switch to a model (its own index; nothing is mixed)"))
    u.add_argument("key")
    u.add_argument("--weights", metavar="PATH", help=_(
        "offline installs: a weights file, or a folder or .zip/.tar.gz archive holding the "
        "weights and (multilingual models) the text tower's config and tokenizer files"))
    u.add_argument("--text-tower", metavar="FOLDER", help=_(
        "offline installs of a multilingual model: a folder with its text tower's config.json "
        "and tokenizer files"))
    d = msub.add_parser("download", help=_("download a model's weights now"))
    d.add_argument("key", nargs="?")
    p.set_defaults(run=run)


def run(lib: Library, args: argparse.Namespace) -> int:
    action = args.action or "list"
    if action == "use":
        from photoclip.core.model_install import prepare

        spec = get_model_spec(args.key, lib.user_models_dir)
        bar = ProgressBar(quiet=args.json)  # a multilingual model's parts download now
        try:
            weights = prepare(spec, lib.paths.models_dir,
                              Path(args.weights) if args.weights else None,
                              Path(args.text_tower) if args.text_tower else None, bar.download)
        finally:
            bar.close()
        spec = lib.use_model(spec.key, str(weights) if weights else None)
        if args.json:
            emit_json({"model": spec.key})
        else:
            print(_("now using {model}; run `photoclip index` to index photos with it").format(
                model=spec.key))
        return 0
    if action == "download":
        spec = get_model_spec(args.key or lib.model_spec.key, lib.user_models_dir)
        bar = ProgressBar(quiet=args.json)
        path = download_weights(spec, lib.paths.models_dir, bar.download)
        bar.close()
        if args.json:
            emit_json({"model": spec.key, "weights": str(path)})
        else:
            print(_("{model}: weights in {path}").format(model=spec.key, path=path))
        return 0
    entries = lib.models()
    if args.json:
        emit_json({"models": entries})
        return 0
    print(f"{'':2}{'model':<28}{'ImageNet':>9}{'size':>9}  {'installed':<10} description")
    for e in entries:
        s = e.spec
        top1 = f"{s.imagenet_top1:.1f}%" if s.imagenet_top1 else "-"
        size = f"{s.download_mb:.0f} MB" if s.download_mb else "-"
        mark = "*" if e.in_use else " "
        print(
            f"{mark} {s.key:<28}{top1:>9}{size:>9}  {'yes' if e.installed else 'no':<10} "
            f"{s.description}"
        )
        if s.retrieval:  # published zero-shot retrieval, for models without an ImageNet figure
            figures = ", ".join(f"{name} {r1:.1f}%" for name, r1 in s.retrieval)
            print(f"{'':39}" + _("zero-shot text-to-image R@1 (published): {figures}").format(
                figures=figures))
    print(_("\n* in use.  Switch: photoclip models use KEY [--weights FILE]"))
    return 0
