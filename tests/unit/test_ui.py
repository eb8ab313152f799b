"""Building blocks for what a seller sees: callback data, long texts split into messages."""

from __future__ import annotations

import pytest

from bot.ui import MAX_MESSAGE_CHARS, callback, in_messages


def test_callback_data_over_64_bytes_is_refused() -> None:
    assert callback("pd", "label", "imported_product_country_of_origin")
    with pytest.raises(ValueError, match="64 bytes"):
        callback("x" * 30, "y" * 35)


def test_short_lines_make_one_message() -> None:
    assert in_messages(["<b>Title</b>", "", "Name: <b>Amul</b>"]) == [
        "<b>Title</b>\n\nName: <b>Amul</b>"
    ]


def test_long_texts_are_split_between_lines_never_inside_one() -> None:
    lines = ["<b>Title</b>", *(f"Fact {n}: <b>{'x' * 900}</b>" for n in range(10))]

    messages = in_messages(lines)

    assert len(messages) > 1
    assert all(len(message) <= MAX_MESSAGE_CHARS for message in messages)
    assert "\n".join(messages) == "\n".join(lines)  # nothing lost, nothing cut
    assert all(m.count("<b>") == m.count("</b>") for m in messages)


def test_a_single_line_over_the_limit_is_cut_at_a_word_without_its_tags() -> None:
    [message] = in_messages(["<b>" + "word & " * 1000 + "</b>"])

    assert len(message) <= MAX_MESSAGE_CHARS
    assert "<b>" not in message and message.endswith("…")
    assert "&amp;" in message and " & " not in message  # still valid HTML
