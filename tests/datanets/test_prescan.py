"""The upload-time byte scan: what it refuses, where it says the problem is, and what it lets by."""

import pytest

from datanets.parsing import FileRejected, ParseOptions
from datanets.prescan import TextPrescan


def scan(data: bytes, fmt: str = "jsonl", chunk: int = 7, **opts) -> None:
    s = TextPrescan(fmt, ParseOptions(**opts))
    for i in range(0, len(data), chunk):
        s.feed(data[i:i + chunk])
    s.finish()


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64, 10_000])
def test_a_character_split_across_chunks_is_fine(chunk):
    scan("ünïcödé — ✓ 𝄞\n".encode() * 20, "txt", chunk)


@pytest.mark.parametrize("chunk", [1, 3, 8, 10_000])
def test_invalid_utf8_names_its_line_and_offset(chunk):
    data = b"fine\nfine\nbad \xe9 byte\n"
    with pytest.raises(FileRejected) as info:
        scan(data, "txt", chunk)
    assert info.value.line == 3 and info.value.offset == data.index(b"\xe9")
    assert "0xe9" in info.value.message


def test_a_file_ending_inside_a_character_is_refused():
    with pytest.raises(FileRejected, match="middle of a UTF-8 character"):
        scan("ok ✓".encode()[:-1], "txt")


@pytest.mark.parametrize("chunk", [4, 100, 10_000])
def test_the_longest_line_is_found_across_chunks(chunk):
    data = b"short\n" + b"x" * 60 + b"\nshort\n"
    scan(data, "jsonl", chunk, max_line_bytes=60)
    with pytest.raises(FileRejected) as info:
        scan(data, "jsonl", chunk, max_line_bytes=59)
    assert info.value.line == 2 and info.value.offset == 6


def test_minified_json_may_be_one_long_line_but_must_be_an_array():
    scan(b'[' + b'{"text":"a"},' * 100 + b'{"text":"b"}]', "json", max_line_bytes=10)
    with pytest.raises(FileRejected, match="array") as info:
        scan(b'\n  {"text": "one object"}', "json")
    assert info.value.line == 2


def test_bom_is_skipped_and_nul_is_binary():
    scan(b"\xef\xbb\xbftext\nhello\n", "csv")
    with pytest.raises(FileRejected, match="NUL"):
        scan(b"text\nhel\x00lo\n", "csv")
