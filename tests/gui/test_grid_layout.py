"""The grid's layout arithmetic: cells under headings, hit-testing, keyboard steps."""

from __future__ import annotations

from photoclip.gui.grid_layout import GridLayout, Section

# 3 columns of 100 px, 20 px headings: A has 4 photos (2 lines), B has 2 (1 line)
LAYOUT = GridLayout([Section(0, 4, "A"), Section(4, 2, "B")], width=350, cell=100, heading=20,
                    label=lambda s: f"heading {s.key}")


def test_cells_sit_under_their_headings_in_wrapping_lines() -> None:
    assert LAYOUT.columns == 3 and LAYOUT.rows == 6
    assert LAYOUT.rect(0) == (0, 20, 100, 100)
    assert LAYOUT.rect(3) == (0, 120, 100, 100)  # the second line of A
    assert LAYOUT.rect(4) == (0, 240, 100, 100)  # B starts a line of its own under its heading
    assert LAYOUT.height == 340
    assert list(LAYOUT.headings(0, 340)) == [("heading A", 0), ("heading B", 220)]


def test_a_point_finds_its_photo_and_a_heading_or_a_gap_finds_none() -> None:
    assert LAYOUT.row_at(150, 50) == 1
    assert LAYOUT.row_at(50, 10) is None  # A's heading
    assert LAYOUT.row_at(150, 150) is None  # the empty end of A's last line
    assert LAYOUT.row_at(320, 50) is None  # right of the last column
    assert LAYOUT.row_at(150, 250) == 5


def test_only_the_rows_on_screen_are_listed_and_a_rectangle_selects_its_cells() -> None:
    assert list(LAYOUT.rows_between(130, 230)) == [3]
    assert list(LAYOUT.rows_between(0, 340)) == [0, 1, 2, 3, 4, 5]
    assert LAYOUT.rows_in(150, 50, 260, 260) == [1, 2, 5]


def test_up_and_down_keep_the_column_across_sections() -> None:
    assert LAYOUT.step(1, 1) == 3  # A's second line has one photo: the nearest
    assert LAYOUT.step(3, 1) == 4  # down into B
    assert LAYOUT.step(5, -1) == 3
    assert LAYOUT.step(0, -1) == 0 and LAYOUT.step(5, 9) == 5  # clamped
    assert LAYOUT.label_at(250) == "heading B" and LAYOUT.section_top(5) == 220
