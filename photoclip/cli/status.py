"""`photoclip status`: what is in the library and what the indexer is up to."""

from __future__ import annotations

import argparse

from photoclip.cli.output import emit_json, human_bytes, plain_data
from photoclip.core.library import Library


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="photos, pending, failed, model, device, store size")
    p.add_argument("--failures", action="store_true", help="list every failed file")
    p.set_defaults(run=run)


def run(lib: Library, args: argparse.Namespace) -> int:
    st = lib.status()
    server = _server(lib.settings.chroma_server)
    if args.json:
        emit_json({**plain_data(st), **({"chroma_server": server} if server else {})})
        return 0
    print(f"folders:   {', '.join(st.folders) or '(none: photoclip folders add PATH)'}")
    counts = f"{st.indexed} indexed, {st.pending} pending, {st.failed} failed"
    print(f"photos:    {st.photos} ({counts})")
    installed = "installed" if st.model_installed else "not downloaded yet"
    print(f"model:     {st.model} ({installed}) on {st.device}, {st.precision}")
    print(f"library:   {human_bytes(st.store_bytes)} in {st.data_dir}")
    if server:
        state = "answers" if server["answers"] else f"NOT ANSWERING: {server['error']}"
        print(f"vectors:   Chroma server {server['url']} (chroma_server): {state}")
    shown = st.failures if args.failures else st.failures[:10]
    for path, reason in shown:
        print(f"  failed: {path}: {reason}")
    if len(st.failures) > len(shown):
        print(f"  ... {len(st.failures) - len(shown)} more: photoclip status --failures")
    return 0


def _server(url: str) -> dict | None:
    """The Chroma server in the settings and whether it answers (None: the embedded store)."""
    if not url:
        return None
    from photoclip.core.chroma_server import server_answers

    error = server_answers(url)
    return {"url": url, "answers": error is None, "error": error}
