"""`photoclip status`: what is in the library and what the indexer is up to."""

from __future__ import annotations

import argparse

from photoclip.cli.output import emit_json, human_bytes
from photoclip.core.library import Library


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="photos, pending, failed, model, device, store size")
    p.add_argument("--failures", action="store_true", help="list every failed file")
    p.set_defaults(run=run)


def run(lib: Library, args: argparse.Namespace) -> int:
    st = lib.status()
    if args.json:
        emit_json(st)
        return 0
    print(f"folders:   {', '.join(st.folders) or '(none: photoclip folders add PATH)'}")
    counts = f"{st.indexed} indexed, {st.pending} pending, {st.failed} failed"
    print(f"photos:    {st.photos} ({counts})")
    installed = "installed" if st.model_installed else "not downloaded yet"
    print(f"model:     {st.model} ({installed}) on {st.device}, {st.precision}")
    print(f"library:   {human_bytes(st.store_bytes)} in {st.data_dir}")
    shown = st.failures if args.failures else st.failures[:10]
    for path, reason in shown:
        print(f"  failed: {path}: {reason}")
    if len(st.failures) > len(shown):
        print(f"  ... {len(st.failures) - len(shown)} more: photoclip status --failures")
    return 0
