import pytest

from photoclip.core.query import QueryError, QueryTerm, parse_query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("beach", [QueryTerm("beach", 1.0)]),
        ("two dogs playing in the snow", [QueryTerm("two dogs playing in the snow", 1.0)]),
        (
            '"beach" + "sunset" - "people"',
            [QueryTerm("beach", 1.0), QueryTerm("sunset", 1.0), QueryTerm("people", -1.0)],
        ),
        ('2*"dog" + cat', [QueryTerm("dog", 2.0), QueryTerm("cat", 1.0)]),
        ('0.5 * "sun" -  rain', [QueryTerm("sun", 0.5), QueryTerm("rain", -1.0)]),
        ("black-and-white photo", [QueryTerm("black-and-white photo", 1.0)]),
        ('"x - y"', [QueryTerm("x - y", 1.0)]),
        ("- people + beach", [QueryTerm("people", -1.0), QueryTerm("beach", 1.0)]),
        ("ein Hund am Strand", [QueryTerm("ein Hund am Strand", 1.0)]),
        ("一辆自行车", [QueryTerm("一辆自行车", 1.0)]),
        ("the dog's toy", [QueryTerm("the dog's toy", 1.0)]),  # an apostrophe is a letter
        ('"a"+"b"', [QueryTerm("a", 1.0), QueryTerm("b", 1.0)]),
        ("'sun' - rain", [QueryTerm("sun", 1.0), QueryTerm("rain", -1.0)]),
        ("C++ code", [QueryTerm("C++ code", 1.0)]),
    ],
)
def test_parse(query: str, expected: list[QueryTerm]) -> None:
    assert parse_query(query) == expected


@pytest.mark.parametrize(
    ("query", "reason", "position"),
    [
        ("", "the query is empty", None),
        ("   ", "the query is empty", None),
        ('"unclosed', "unclosed quote", 0),
        ('""', "empty", 0),
        ('"beach" +', 'ends with "+"', 8),  # once silently "beach"
        ("beach + ", 'ends with "+"', 6),
        ("-", 'ends with "-"', 0),
        ('"beach" + + "sun"', "two operators in a row", 10),
        ('"beach" - + "sun"', "two operators in a row", 10),
        ('"beach" sunset', "words after a quoted term", 8),  # once '"beach" sunset', quotes kept
        ('a "red" car', "stray quote", 2),
        ('beach"', "stray quote", 5),
        ('-2*"dog"', "a weight is a positive number", 0),  # once the text '-2*"dog"'
        ('0*"dog"', "a weight is a positive number", 0),
        ("2*", "nothing after the weight", 2),
        ('"beach" + 2*', "nothing after the weight", 12),
    ],
)
def test_bad_queries_say_why_and_where(query: str, reason: str, position: int | None) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(query)
    assert reason in info.value.reason
    assert info.value.position == position
    if position is not None:  # the message shows the query with a caret under the problem
        lines = str(info.value).splitlines()
        assert lines[1] == f"  {query}" and lines[2] == "  " + " " * position + "^"
