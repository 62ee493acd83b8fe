"""CSV reader for `datanets.parsing.iter_records`: header row, sniffed delimiter, RFC 4180 quoting."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import chain
from typing import BinaryIO

from datanets.parsing import (
    FileRejected,
    ParsedRow,
    ParseOptions,
    RowError,
    decode_utf8,
    iter_lines,
    record_too_big,
    text_chunks,
)

_DELIMITERS = ",;\t|"
_SNIFF_BYTES = 16 * 1024


def _sniff_delimiter(sample: bytes) -> str:
    text = sample.decode("utf-8", errors="replace")
    cut = text.rfind("\n")
    text = text[:cut] if cut > 0 else text
    header = text.split("\n", 1)[0]
    try:
        found = csv.Sniffer().sniff(text, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        found = ""
    if found and found in header:
        return found
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    # A header without any delimiter means one column: splitting its values on commas would be wrong.
    return best if counts[best] else "\x1f"


class _CsvFeed:
    """Feeds decoded lines to csv.reader and remembers where the current record began."""

    def __init__(self, lines: Iterator[tuple[int, int, bytes]], opts: ParseOptions) -> None:
        self.lines, self.opts = lines, opts
        self.start: tuple[int, int] | None = None
        self.size = 0

    def __iter__(self) -> Iterator[str]:
        for line_no, offset, raw in self.lines:
            if self.start is None:
                self.start = (line_no, offset)
            self.size += len(raw) + 1
            if self.size > self.opts.max_line_bytes:
                raise FileRejected(
                    f"The record starting at line {self.start[0]} (byte offset {self.start[1]}) runs past "
                    f"{self.opts.max_line_bytes:,} bytes, most likely because of a double quote that is never closed. "
                    "Fix the quoting (a quote inside a quoted field is written twice: \"\") and upload again.",
                    line=self.start[0], offset=self.start[1])
            yield decode_utf8(raw, line_no, offset) + "\n"

    def take(self) -> tuple[int, int, int]:
        assert self.start is not None
        line, offset = self.start
        size, self.start, self.size = self.size, None, 0
        return line, offset, size


def iter_csv(stream: BinaryIO, opts: ParseOptions) -> Iterator[ParsedRow]:
    chunks = text_chunks(stream, opts, "csv")
    first = next(chunks, None)
    if first is None:
        return
    delimiter = opts.delimiter or _sniff_delimiter(first[2][:_SNIFF_BYTES])
    feed = _CsvFeed(iter_lines(chain([first], chunks), opts), opts)
    # The default 128 KiB field limit would turn long but legitimate texts into errors; our own
    # per-record limit in _CsvFeed is what bounds memory.
    csv.field_size_limit(max(csv.field_size_limit(), opts.max_line_bytes))
    reader = csv.reader(feed, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    header = next(reader, None)
    if header is None:
        return
    names = [name.strip() for name in header]
    feed.take()
    _check_header(names, opts)
    try:
        yield from _csv_rows(reader, feed, names, delimiter, opts)
    except csv.Error as exc:
        line = feed.start[0] if feed.start else None
        raise FileRejected(f"The CSV could not be read at line {line}: {exc}. Save it again as CSV (UTF-8) and "
                           "upload it.", line=line, offset=feed.start[1] if feed.start else None) from None


def _csv_rows(reader: Iterator[list[str]], feed: _CsvFeed, names: list[str], delimiter: str,
              opts: ParseOptions) -> Iterator[ParsedRow]:
    row = 1
    for values in reader:
        row += 1
        line, offset, size = feed.take()
        if not any(value.strip() for value in values):
            continue  # spreadsheets often export empty trailing rows
        if size > opts.max_record_bytes:
            yield record_too_big(row, offset, line, size, opts)
            continue
        while len(values) > len(names) and not values[-1].strip():
            values.pop()  # trailing delimiters, another spreadsheet habit
        if len(values) != len(names):
            yield ParsedRow(row, offset, None, RowError(
                "", f"Expected {len(names)} columns as in the header, found {len(values)}. Check for an unquoted "
                f"{'tab' if delimiter == chr(9) else repr(delimiter)} inside a value."), line)
            continue
        yield ParsedRow(row, offset, dict(zip(names, values, strict=True)), None, line)


def _check_header(names: list[str], opts: ParseOptions) -> None:
    if len(names) > opts.max_keys:
        raise FileRejected(f"The header (line 1) has {len(names):,} columns; at most {opts.max_keys:,} are allowed.",
                           line=1, offset=0)
    seen: set[str] = set()
    for position, name in enumerate(names, 1):
        if not name:
            raise FileRejected(f"Column {position} of the header (line 1) has no name. The first row must name "
                               "every column, e.g. text,label.", line=1, offset=0)
        if name in seen:
            raise FileRejected(f"The header (line 1) names the column {name!r} twice. Give each column a distinct "
                               "name.", line=1, offset=0)
        seen.add(name)
