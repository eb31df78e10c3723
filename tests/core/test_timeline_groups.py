"""The timeline's groups (day, month, year in local time), the year jump's rows, where the grid
goes back to when its photo is gone, and the match-strength levels."""

from __future__ import annotations

from datetime import datetime

import pytest

from photoclip.core.match_strength import LEVELS, match_level, match_word
from photoclip.core.timeline import DAY, MONTH, YEAR, group_dates, nearest_row, year_starts


def _ts(*parts: int) -> float:
    return datetime(*parts).timestamp()


NEWEST_FIRST = [
    _ts(2025, 3, 2, 23, 59), _ts(2025, 3, 2, 0, 0),  # one day (local time, both ends)
    _ts(2025, 3, 1, 12), _ts(2025, 1, 31, 8),
    _ts(2024, 12, 31, 23, 59), _ts(2024, 12, 1), _ts(2023, 6, 15),
]


def test_photos_in_date_order_fall_into_days_months_and_years() -> None:
    days = group_dates(NEWEST_FIRST, DAY)
    assert [(g.key, g.start, g.count) for g in days] == [
        ((2025, 3, 2), 0, 2), ((2025, 3, 1), 2, 1), ((2025, 1, 31), 3, 1),
        ((2024, 12, 31), 4, 1), ((2024, 12, 1), 5, 1), ((2023, 6, 15), 6, 1),
    ]
    months = group_dates(NEWEST_FIRST, MONTH)
    assert [(g.key, g.count) for g in months] == [
        ((2025, 3), 3), ((2025, 1), 1), ((2024, 12), 2), ((2023, 6), 1)]
    years = group_dates(NEWEST_FIRST, YEAR)
    assert [(g.key, g.start, g.end) for g in years] == [
        ((2025,), 0, 4), ((2024,), 4, 6), ((2023,), 6, 7)]
    assert sum(g.count for g in months) == len(NEWEST_FIRST)


def test_a_photo_out_of_order_starts_a_group_of_its_own_and_nothing_is_lost() -> None:
    dates = [_ts(2025, 5, 1), _ts(2020, 1, 1), _ts(2025, 5, 2)]
    groups = group_dates(dates, MONTH)
    assert [(g.key, g.count) for g in groups] == [((2025, 5), 1), ((2020, 1), 1), ((2025, 5), 1)]
    assert group_dates([], DAY) == []


def test_a_group_at_a_time_matches_each_photos_own_calendar_date() -> None:
    """Dates newest first are grouped by bisecting to each group's end: the same groups as
    each photo's own local day, month and year, across DST changes and years."""
    import random

    rng = random.Random(18)
    dates = sorted((rng.uniform(_ts(2019, 1, 1), _ts(2025, 12, 31)) for _ in range(3000)),
                   reverse=True)
    dates[10:13] = [dates[10]] * 3  # equal dates stay together
    for by, size in ((DAY, 3), (MONTH, 2), (YEAR, 1)):
        expected: list[tuple[tuple[int, ...], int]] = []
        for when in dates:
            d = datetime.fromtimestamp(when)
            key = (d.year, d.month, d.day)[:size]
            if expected and expected[-1][0] == key:
                expected[-1] = (key, expected[-1][1] + 1)
            else:
                expected.append((key, 1))
        assert [(g.key, g.count) for g in group_dates(dates, by)] == expected, by


def test_a_bad_grouping_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="day, month, year"):
        group_dates(NEWEST_FIRST, "week")


def test_the_year_jump_goes_to_each_years_first_photo() -> None:
    assert year_starts(group_dates(NEWEST_FIRST, DAY)) == [(2025, 0), (2024, 4), (2023, 6)]


def test_the_grid_goes_back_to_the_photo_nearest_the_date_it_showed() -> None:
    assert nearest_row(NEWEST_FIRST, _ts(2025, 3, 1, 11)) == 2
    assert nearest_row(NEWEST_FIRST, _ts(2030, 1, 1)) == 0  # newer than all: the top
    assert nearest_row(NEWEST_FIRST, _ts(2000, 1, 1)) == 6  # older than all: the end
    assert nearest_row([], 0.0) is None


def test_match_strength_names_four_levels_of_cosine() -> None:
    assert [match_word(s) for s in (0.05, 0.2, 0.25, 0.31, 0.9)] == [
        "weak", "fair", "good", "strong", "strong"]
    assert match_level(0.23) == 2 and LEVELS[match_level(0.0)] == "weak"
