"""Stored reasons (why a photo could not be read, what is wrong with a catalog file) are
recognised back into the sentence they were made from, so the fronts show them translated;
counts and lists put into a sentence are said in the front's language too."""

from __future__ import annotations

from photoclip.core import reasons
from photoclip.core.said import ALTERNATIVES, Count, Listed, Said

ZH = {"corrupt {format}": "{format} 文件已损坏", "cannot read file: {error}": "读不了：{error}",
      "photo": "张照片", "{items}, {item}": "{items}、{item}", "{count} {noun}": "{count} {noun}",
      "{items} or {item}": "{items}或{item}"}


def zh(text: str) -> str:
    return ZH.get(text, text)


def test_every_reason_is_recognised_as_the_template_it_came_from() -> None:
    for template in reasons.REASONS:
        values = {name: f"v{i}" for i, name in enumerate(reasons._FIELD.findall(template))}
        text = reasons.reason(template, **values)
        said = reasons.recognise(text)
        assert said is not None and said.template == template, (template, said)
        assert str(said) == text


def test_a_stored_reason_is_shown_translated() -> None:
    assert reasons.shown("corrupt JPEG", zh) == "JPEG 文件已损坏"
    assert reasons.shown("cannot read file: Permission denied", zh) == "读不了：Permission denied"
    assert reasons.shown("something a decoder said", zh) == "something a decoder said"
    assert reasons.shown("corrupt image: bad Huffman table") == "corrupt image: bad Huffman table"
    assert reasons.recognise("corrupt image: x").template == reasons.CORRUPT_IMAGE  # not CORRUPT


def test_counts_and_lists_in_a_sentence() -> None:
    said = Said("{photos} in {folders}", {"photos": Count(1, "photo"),
                                          "folders": Listed(("a", "b", "c"))})
    assert str(said) == "1 photo in a, b, c"
    assert said.text(zh) == "1 张照片 in a、b、c"
    assert str(Count(1250, "photo")) == "1,250 photos"
    assert Listed(("x", "y"), ALTERNATIVES).text(zh) == "x或y" and str(Listed(())) == ""
