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
    ],
)
def test_parse(query: str, expected: list[QueryTerm]) -> None:
    assert parse_query(query) == expected


@pytest.mark.parametrize("query", ["", "   ", '"unclosed', '""', "beach + "])
def test_bad_queries_say_why(query: str) -> None:
    if query == "beach + ":  # a dangling operator is forgiven
        assert parse_query(query) == [QueryTerm("beach", 1.0)]
        return
    with pytest.raises(QueryError):
        parse_query(query)
