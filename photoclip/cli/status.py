"""`photoclip status`: what is in the library and what the indexer is up to."""

from __future__ import annotations

import argparse

from photoclip.cli.i18n import _
from photoclip.cli.output import emit_json, human_bytes, plain_data
from photoclip.core.library import Library
from photoclip.core.reasons import shown as shown_reason


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help=_("photos, pending, failed, model, device, store size"))
    p.add_argument("--failures", action="store_true", help=_("list every failed file"))
    p.set_defaults(run=run)


def run(lib: Library, args: argparse.Namespace) -> int:
    st = lib.status()
    server = _server(lib.settings.chroma_server)
    if args.json:
        emit_json({**plain_data(st), **({"chroma_server": server} if server else {})})
        return 0
    folders = ", ".join(st.folders) or _("(none: photoclip folders add PATH)")
    print(_("folders:   {folders}").format(folders=folders))
    counts = _("{indexed} indexed, {pending} pending, {failed} failed").format(
        indexed=st.indexed, pending=st.pending, failed=st.failed)
    print(_("photos:    {photos} ({counts})").format(photos=st.photos, counts=counts))
    installed = _("installed") if st.model_installed else _("not downloaded yet")
    print(_("model:     {model} ({installed}) on {device}, {precision}").format(
        model=st.model, installed=installed, device=st.device, precision=st.precision))
    print(_("library:   {size} in {folder}").format(size=human_bytes(st.store_bytes),
                                                 folder=st.data_dir))
    if server:
        state = (_("answers") if server["answers"]
                 else _("NOT ANSWERING: {error}").format(error=server["error"]))
        print(_("vectors:   Chroma server {url} (chroma_server): {state}").format(
            url=server["url"], state=state))
    shown = st.failures if args.failures else st.failures[:10]
    for path, reason in shown:
        print("  " + _("failed: {path}: {reason}").format(path=path,
                                                          reason=shown_reason(reason, _)))
    if len(st.failures) > len(shown):
        print("  " + _("... {n} more: photoclip status --failures").format(
            n=len(st.failures) - len(shown)))
    return 0


def _server(url: str) -> dict | None:
    """The Chroma server in the settings and whether it answers (None: the embedded store)."""
    if not url:
        return None
    from photoclip.core.chroma_server import server_answers

    error = server_answers(url)
    return {"url": url, "answers": error is None, "error": error}
