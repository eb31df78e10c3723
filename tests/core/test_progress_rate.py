"""Rates and ETAs are of a recent window, not the run's average (issue 13): one rule in core
(indexer.RecentRate / with_recent_rates), which the CLI and the app both show."""

from __future__ import annotations

from photoclip.core.indexer import IndexProgress, RecentRate, with_recent_rates


def test_a_slow_start_then_a_fast_phase_gives_the_recent_rate() -> None:
    rate = RecentRate(window=20.0)
    assert rate.add(0, 0.0) is None
    assert rate.add(8, 60.0) == 8 / 60  # the first batch waited for label prototypes
    for k in range(1, 31):  # then 8 photos every 2 s: 4 photos/s
        recent = rate.add(8 + 8 * k, 60.0 + 2 * k)
    assert recent == 4.0  # the run's average would be 248 / 120 s = 2.07
    # a stall of 4 s shows too: 64 photos in the last 20 s (from 184 at 104 s)
    assert rate.add(248, 124.0) == (248 - 184) / 20.0


def test_progress_snapshots_carry_the_recent_rate_and_eta() -> None:
    seen: list[IndexProgress] = []
    send = with_recent_rates(seen.append)
    assert send is not None and with_recent_rates(None) is None
    send(IndexProgress("indexing", 0, 1000, 0, 0, 0, 0.0))
    send(IndexProgress("indexing", 8, 1000, 8, 0, 0, 60.0))
    for k in range(1, 31):
        send(IndexProgress("indexing", 8 + 8 * k, 1000, 8 + 8 * k, 0, 0, 60.0 + 2 * k))
    last = seen[-1]
    assert last.rate == 4.0 and last.eta == (1000 - 248) / 4.0
    assert IndexProgress("indexing", 248, 1000, 248, 0, 0, 120.0).rate == 248 / 120  # average
    send(IndexProgress("analyzing", 10, 100, 0, 0, 0, 1.0))  # a new phase starts afresh
    assert seen[-1].rate == 10.0 and seen[-1].recent_rate is None
