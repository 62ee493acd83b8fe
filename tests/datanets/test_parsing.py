import io
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from datanets.parsing import (
    FileRejected,
    ParsedRow,
    ParseOptions,
    RowError,
    detect_format,
    iter_records,
    safe_filename,
)


def parse(data: bytes, fmt: str, **options: Any) -> list[ParsedRow]:
    return list(iter_records(io.BytesIO(data), fmt, options=ParseOptions(**options)))


def rejected(data: bytes, fmt: str, **options: Any) -> FileRejected:
    with pytest.raises(FileRejected) as info:
        parse(data, fmt, **options)
    return info.value


def good(rows: list[ParsedRow]) -> list[dict[str, Any]]:
    assert all(r.error is None for r in rows), [r.error for r in rows]
    return [r.fields for r in rows if r.fields is not None]


# -- jsonl ---------------------------------------------------------------------------------------

def test_jsonl_rows_are_line_numbers_and_blank_lines_are_skipped():
    rows = parse(b'{"text": "a"}\n\n   \n{"text": "b", "n": 2}\r\n', "jsonl")
    assert [(r.row, r.line, r.offset) for r in rows] == [(1, 1, 0), (4, 4, 19)]
    assert good(rows) == [{"text": "a"}, {"text": "b", "n": 2}]


def test_jsonl_row_errors_do_not_stop_parsing():
    data = b'{"text": "a"}\nnot json\n[1, 2]\n"just text"\n{"text": NaN}\n{"text": "ok"}'
    rows = parse(data, "jsonl")
    assert [r.row for r in rows] == [1, 2, 3, 4, 5, 6]
    errors = {r.row: r.error for r in rows if r.error}
    assert set(errors) == {2, 3, 4, 5}
    assert errors[2].field == "" and "Not valid JSON" in errors[2].message and "column 1" in errors[2].message
    assert "found an array" in errors[3].message
    assert "found a string" in errors[4].message
    assert "NaN" in errors[5].message
    assert rows[-1].fields == {"text": "ok"}


def test_jsonl_record_over_the_size_limit_is_a_row_error():
    big = json.dumps({"text": "x" * 5000}).encode()
    rows = parse(b'{"text": "a"}\n' + big + b'\n{"text": "b"}\n', "jsonl", max_record_bytes=1000)
    assert rows[1].fields is None and rows[1].row == 2
    assert "5,012 bytes" in rows[1].error.message and "1,000" in rows[1].error.message
    assert rows[2].fields == {"text": "b"}


@pytest.mark.parametrize("data", [b'[\n{"text": "a"}\n]\n', b'{\n  "text": "a"\n}\n'])
def test_jsonl_that_is_really_pretty_printed_json_is_refused(data):
    error = rejected(data, "jsonl")
    assert "Line 1" in error.message and ".json" in error.message


def test_jsonl_too_deep_and_too_many_keys_are_refused_with_the_place():
    deep = b'{"a": ' + b"[" * 40 + b"]" * 40 + b"}"
    error = rejected(b'{"text": "ok"}\n' + deep + b"\n", "jsonl")
    assert "Line 2" in error.message and "32 levels" in error.message and error.line == 2
    error = rejected(b'{"text": "ok"}\n{"a": 1, "b": 2, "c": 3}\n', "jsonl", max_keys=2)
    assert "line 2" in error.message and "3 keys" in error.message and error.line == 2


def test_depth_guard_ignores_brackets_inside_strings():
    rows = parse(json.dumps({"text": "[[[[{{{{" * 20, "x": ["\\\"[["]}).encode() + b"\n", "jsonl")
    assert rows[0].error is None


# -- json array -----------------------------------------------------------------------------------

PRETTY = b'[\n  {"text": "a, ] } \\" [ {"},\n  {"text": "b",\n   "n": [1, {"x": [2]}]},\n  {"text": "c"}\n]\n'


def test_json_array_rows_are_positions_with_lines_and_offsets():
    rows = parse(PRETTY, "json")
    assert good(rows) == [{"text": 'a, ] } " [ {'}, {"text": "b", "n": [1, {"x": [2]}]}, {"text": "c"}]
    assert [(r.row, r.line) for r in rows] == [(1, 2), (2, 3), (3, 5)]
    assert [PRETTY[r.offset:r.offset + 9] for r in rows] == [b'{"text": '] * 3
    with_bom = parse(b"\xef\xbb\xbf" + PRETTY, "json")
    assert [r.offset for r in with_bom] == [r.offset + 3 for r in rows]


@pytest.mark.parametrize("chunk_bytes", [1, 2, 3, 5, 7, 64])
def test_json_array_split_across_any_chunk_boundary(chunk_bytes):
    expected = parse(PRETTY, "json")
    assert parse(PRETTY, "json", chunk_bytes=chunk_bytes) == expected


def test_json_array_bad_elements_are_row_errors():
    rows = parse(b'[{"text": "a"}, 5, "s", {"text": }, {"text": "ok"},]', "json")
    assert [r.row for r in rows] == [1, 2, 3, 4, 5]
    assert "found a number" in rows[1].error.message
    assert "found a string" in rows[2].error.message
    assert "Not valid JSON" in rows[3].error.message and "byte offset" in rows[3].error.message
    assert rows[4].fields == {"text": "ok"}


def test_json_array_oversized_element_is_skipped_and_parsing_goes_on():
    data = b'[{"text": "' + b"x" * 5000 + b'"}, {"text": "ok"}]'
    rows = parse(data, "json", max_record_bytes=1000, chunk_bytes=256)
    assert rows[0].fields is None and "bytes; the limit is 1,000" in rows[0].error.message
    assert rows[1].fields == {"text": "ok"} and rows[1].row == 2


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"text": "a"}', ".jsonl"),
        (b'"text"', "JSON array"),
        (b'[{"text": "a"}, {"text": ', "line 1, byte offset 16"),
        (b'[{"text": "a"}]\n[{"text": "b"}]', "Line 2 (byte offset 16)"),
        (b'[{"text": "a"]]', "byte offset 13"),
        (b'[{"a": ' + b"[" * 40 + b"]" * 40 + b"}]", "32 levels"),
        (b"   ", "empty"),
    ],
)
def test_json_array_file_level_problems_are_refused(data, expected):
    assert expected in rejected(data, "json").message


def test_json_array_object_with_too_many_keys_is_refused():
    error = rejected(b'[\n{"text": "a"},\n{"a": 1, "b": 2, "c": 3}]', "json", max_keys=2)
    assert "line 3" in error.message and error.line == 3


def test_empty_json_array_holds_no_records():
    assert "no records" in rejected(b"[ ]", "json").message


# -- csv ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_sniffed(delimiter):
    text = f"text{delimiter}label\nHello, world; twice{delimiter}pos\nBye{delimiter}neg\n"
    if delimiter in ",;":
        text = text.replace("Hello, world; twice", '"Hello, world; twice"')
    assert good(parse(text.encode(), "csv")) == [
        {"text": "Hello, world; twice", "label": "pos"}, {"text": "Bye", "label": "neg"}]


def test_csv_quoted_newlines_keep_spreadsheet_row_numbers():
    data = b'text,label\r\n"first\r\nsecond ""quoted""",a\r\nplain,b\r\n'
    rows = parse(data, "csv")
    assert good(rows) == [{"text": 'first\nsecond "quoted"', "label": "a"}, {"text": "plain", "label": "b"}]
    assert [(r.row, r.line) for r in rows] == [(2, 2), (3, 4)]
    assert data[rows[1].offset:].startswith(b"plain")


def test_csv_with_bom_and_explicit_delimiter():
    rows = parse("\ufefftext;n\nCafé;1\n".encode(), "csv", delimiter=";")
    assert good(rows) == [{"text": "Café", "n": "1"}]
    assert rows[0].offset == 10  # counted in the file's bytes, BOM included


def test_csv_wrong_column_count_is_a_row_error_and_blank_rows_are_skipped():
    data = b"text,label\na,b\n\n,\nc\nd,e,f\ng,h,,\ni,j\n"
    rows = parse(data, "csv")
    assert [(r.row, r.error is None) for r in rows] == [(2, True), (5, False), (6, False), (7, True), (8, True)]
    assert "Expected 2 columns" in rows[1].error.message and "found 1" in rows[1].error.message
    assert rows[3].fields == {"text": "g", "label": "h"}  # trailing empty cells are forgiven


def test_csv_single_column_keeps_commas_in_values():
    assert good(parse(b"text\nHello, world\nBye, now\n", "csv")) == [{"text": "Hello, world"}, {"text": "Bye, now"}]


@pytest.mark.parametrize(("header", "expected"), [(b"text,,label", "Column 2"), (b"text,text", "twice")])
def test_csv_header_problems_are_refused_at_line_1(header, expected):
    error = rejected(header + b"\na,b,c\n", "csv")
    assert expected in error.message and "line 1" in error.message and error.line == 1


def test_csv_unclosed_quote_is_refused_naming_where_the_record_starts():
    data = b'text,label\na,b\n"never closed,c\n' + b"more text\n" * 200
    error = rejected(data, "csv", max_line_bytes=500)
    assert "line 3" in error.message and "double quote" in error.message and error.line == 3


def test_csv_header_only_holds_no_records():
    assert "header row" in rejected(b"text,label\n", "csv").message


# -- txt ------------------------------------------------------------------------------------------

def test_txt_line_mode_one_record_per_non_blank_line():
    rows = parse(b"first line\r\n\n  \nsecond line", "txt", text_field="body")
    assert good(rows) == [{"body": "first line"}, {"body": "second line"}]
    assert [r.row for r in rows] == [1, 4]


def test_txt_paragraph_mode_joins_lines_between_blank_lines():
    rows = parse(b"a\nb\n\n\n\nc\n  \nd\ne", "txt", txt_mode="paragraph")
    assert good(rows) == [{"text": "a\nb"}, {"text": "c"}, {"text": "d\ne"}]
    assert [(r.row, r.offset) for r in rows] == [(1, 0), (6, 7), (8, 12)]


def test_txt_paragraph_over_the_size_limit_is_a_row_error():
    rows = parse(b"short\n\n" + b"long line\n" * 50 + b"\nafter\n", "txt", txt_mode="paragraph", max_record_bytes=100)
    assert [r.row for r in rows] == [1, 3, 54]
    assert rows[1].error is not None and rows[2].fields == {"text": "after"}


# -- file-level refusals for every text format -----------------------------------------------------

TEXT_SAMPLES = {"jsonl": b'{"text": "a"}\n{"text": "%s"}\n', "json": b'[{"text": "a"},\n {"text": "%s"}]',
                "csv": b"text\n%s\nb\n", "txt": b"a\n%s\n"}


@pytest.mark.parametrize("fmt", TEXT_SAMPLES)
def test_undecodable_bytes_are_refused_with_line_and_offset(fmt):
    data = TEXT_SAMPLES[fmt].replace(b"%s", b"caf\xe9")
    error = rejected(data, fmt)
    assert "Line 2" in error.message and "0xe9" in error.message and "UTF-8" in error.message
    assert error.line == 2 and data[error.offset] == 0xE9


@pytest.mark.parametrize("fmt", TEXT_SAMPLES)
def test_nul_byte_means_binary(fmt):
    data = TEXT_SAMPLES[fmt].replace(b"%s", b"x\x00y")
    error = rejected(data, fmt)
    assert "NUL" in error.message and "Line 2" in error.message and data[error.offset] == 0


@pytest.mark.parametrize(
    ("head", "expected"),
    [(b"PK\x03\x04\x14\x00", "ZIP"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"%PDF-1.7\n", "PDF"), (b"\x1f\x8b\x08", "gzip"),
     (b"PAR1\x15\x04", "Parquet"), ("text\n".encode("utf-16"), "UTF-16"),
     ("text\nabc\n".encode("utf-16-le"), "UTF-16")],
)
def test_binary_files_named_as_text_are_refused(head, expected):
    error = rejected(head + b"rest of the file", "csv")
    assert expected in error.message and error.offset == 0


class EndlessLine(io.RawIOBase):
    """A stream of one endless line that counts what was read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        buffer[:] = b"x" * len(buffer)
        self.read_bytes += len(buffer)
        return len(buffer)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "txt"])
def test_overlong_line_is_refused_before_reading_on(fmt):
    stream = EndlessLine()
    options = ParseOptions(max_line_bytes=10 * 1024 * 1024, chunk_bytes=1024 * 1024)
    with pytest.raises(FileRejected) as info:
        list(iter_records(stream, fmt, options=options))
    assert "Line 1" in info.value.message and "10,485,760" in info.value.message
    assert stream.read_bytes <= 12 * 1024 * 1024


def test_too_many_records_is_refused():
    error = rejected(b"a\nb\nc\nd\n", "txt", max_records=3)
    assert "more than 3 records" in error.message and "row 4" in error.message


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "txt", "parquet"])
def test_empty_file_is_refused(fmt):
    assert rejected(b"", fmt).message


def test_unknown_format_is_refused_listing_the_supported_ones():
    assert ".jsonl" in rejected(b"x", "xml").message


# -- memory -------------------------------------------------------------------------------------------

def write_records(path: Path, fmt: str, target_bytes: int) -> int:
    line = json.dumps({"text": "The quick brown fox jumps over the lazy dog. " * 40, "label": "pos", "n": 7}).encode()
    count = target_bytes // (len(line) + 2)
    with path.open("wb") as f:
        f.write(b"[\n" if fmt == "json" else b"")
        for i in range(count):
            f.write(line + (b",\n" if fmt == "json" and i < count - 1 else b"\n"))
        f.write(b"]\n" if fmt == "json" else b"")
    return count


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_50_mb_file_is_parsed_with_flat_memory(tmp_path, fmt):
    path = tmp_path / f"big.{fmt}"
    count = write_records(path, fmt, 50 * 1024 * 1024)
    tracemalloc.start()
    try:
        with path.open("rb") as f:
            parsed = sum(1 for row in iter_records(f, fmt) if row.error is None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert parsed == count
    assert peak < 20 * 1024 * 1024, f"peak {peak:,} bytes"


def test_huge_json_element_is_skipped_with_flat_memory(tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.write(b'[{"text": "')
        for _ in range(30):
            f.write(b"y" * (1024 * 1024))
        f.write(b'"}, {"text": "after"}]')
    tracemalloc.start()
    try:
        with path.open("rb") as f:
            rows = list(iter_records(f, "json"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows[0].error is not None and rows[1].fields == {"text": "after"}
    assert peak < 20 * 1024 * 1024, f"peak {peak:,} bytes"


# -- names ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "fmt"),
    [("data.jsonl", "jsonl"), ("DATA.NDJSON", "jsonl"), ("a.json", "json"), ("x.csv", "csv"), ("x.TSV", "csv"),
     ("notes.txt", "txt"), ("t.parquet", "parquet"), ("../../x.csv", "csv")],
)
def test_detect_format_by_extension(name, fmt):
    assert detect_format(name, b"PAR1" if fmt == "parquet" else b"text\n") == fmt


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [("data.xml", b"<", "Supported formats: .jsonl"), ("README", b"", "without an extension"),
     ("book.xlsx", b"PK\x03\x04", "Export the sheet as CSV"), ("data.jsonl.gz", b"\x1f\x8b", "uncompressed"),
     ("data.csv", b"PK\x03\x04", "ZIP"), ("data.parquet", b"a,b\n", "PAR1")],
)
def test_detect_format_refuses_unknown_and_mislabelled_files(name, head, expected):
    with pytest.raises(FileRejected) as info:
        detect_format(name, head)
    assert expected in info.value.message


@pytest.mark.parametrize(
    ("name", "expected"),
    [("../../etc/passwd", "passwd"), ("C:\\Users\\me\\My Data.csv", "My Data.csv"), ("..", "upload"),
     ("/", "upload"), ("a/../../b.jsonl", "b.jsonl"), ("evil\u202etxt.exe", "eviltxt.exe"),
     ("line\nbreak\x00.csv", "line break.csv"), ("  .hidden.txt ", "hidden.txt"), ('a<b>:c"|?*.csv', "a_b__c____.csv"),
     ("con.csv", "_con.csv"), ("Cafe\u0301.txt", "Café.txt")],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_limits_length_and_keeps_the_extension():
    name = safe_filename("x" * 500 + ".jsonl")
    assert len(name) == 120 and name.endswith(".jsonl")
