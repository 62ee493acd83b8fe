"""Streaming parsers for contributed data files (jsonl, json, csv, txt, parquet).

`iter_records` reads a binary stream in chunks and yields one `ParsedRow` per record, so memory
stays flat whatever the file size. Problems with one record become a `RowError` on that row and
parsing goes on; problems that make the rest of the file untrustworthy raise `FileRejected`.
The JSON, CSV and Parquet readers live in `json_reader`, `csv_reader` and `parquet_reader`;
this module holds the public API and what they share.

What `ParsedRow.row` counts, per format (the number a person would look for):
- jsonl, txt: the physical line number (in paragraph mode, the paragraph's first line);
- csv: the spreadsheet row, the header being row 1 — equal to the line number unless a quoted
  field holds line breaks (`line` then still gives the physical line where the record starts);
- json: the 1-based position of the record in the top-level array (`line` gives its line);
- parquet: the 1-based row index (`offset` and `line` are None).
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any, BinaryIO, Literal

KiB = 1024
MiB = 1024 * KiB
SUPPORTED_FORMATS = ("jsonl", "json", "csv", "txt", "parquet")
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "csv",
               ".txt": "txt", ".parquet": "parquet"}
_SUPPORTED_HELP = ("Supported formats: .jsonl or .ndjson (one JSON object per line), .json (a JSON array of "
                   "objects), .csv or .tsv (with a header row), .txt (plain text) and .parquet.")


@dataclass(frozen=True, slots=True)
class RowError:
    field: str  # dotted path of the offending field; "" when the record as a whole is wrong
    message: str


@dataclass(frozen=True, slots=True)
class ParsedRow:
    row: int  # see the module docstring for what it counts in each format
    offset: int | None  # byte offset of the record's first byte, None for parquet
    fields: dict[str, Any] | None  # None when `error` says the record could not be read
    error: RowError | None = None
    line: int | None = None  # physical line where the record starts, None for parquet


class FileRejected(Exception):
    """The file as a whole cannot be ingested; `message` tells the uploader what to fix."""

    def __init__(self, message: str, *, line: int | None = None, offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.offset = offset


@dataclass(frozen=True, slots=True)
class ParseOptions:
    text_field: str = "text"  # the field a txt record's text goes into
    txt_mode: Literal["line", "paragraph"] = "line"
    delimiter: str | None = None  # csv; None = sniffed
    max_record_bytes: int = 1 * MiB  # a bigger record becomes a row error
    max_line_bytes: int = 8 * MiB  # a longer line (or unterminated csv record) rejects the file
    max_depth: int = 32  # nesting levels inside one record; the record object itself is level 1
    max_keys: int = 1000  # keys in any one JSON object, columns in a csv or parquet file
    max_records: int = 5_000_000
    max_row_group_bytes: int = 256 * MiB  # parquet, uncompressed, as the footer claims
    max_parquet_metadata_bytes: int = 16 * MiB
    chunk_bytes: int = 1 * MiB


def iter_records(stream: BinaryIO, fmt: str, *, options: ParseOptions | None = None) -> Iterator[ParsedRow]:
    """Yield the records of `stream` one by one.

    Raises FileRejected at the point the file turns out to be unusable, which can be after some
    rows were yielded (e.g. too many records): callers that must be all-or-nothing keep a savepoint.
    """
    opts = options or ParseOptions()
    if opts.txt_mode not in ("line", "paragraph"):
        raise ValueError(f"txt_mode must be 'line' or 'paragraph', not {opts.txt_mode!r}")
    parser = _reader(fmt)
    count = 0
    for parsed in parser(stream, opts):
        count += 1
        if count > opts.max_records:
            raise FileRejected(
                f"The file has more than {opts.max_records:,} records (stopped at row {parsed.row}). "
                "Split it into smaller files and upload them one by one.", line=parsed.line, offset=parsed.offset)
        yield parsed
    if count == 0:
        raise FileRejected(f"The file holds no records. {EMPTY_HELP[fmt]}")


EMPTY_HELP = {
    "jsonl": "Put one JSON object per line.",
    "json": "Put the records in a top-level JSON array: [{...}, {...}].",
    "csv": "Put a header row first and one record per row below it.",
    "txt": "Put the text of each record on its own line (or paragraph).",
    "parquet": "Export a table with at least one row.",
}


def detect_format(filename: str, head_bytes: bytes = b"") -> str:
    """Return the format for `filename` by its extension; refuse unknown or mislabelled files."""
    name = safe_filename(filename)
    lowered = name.lower()
    if lowered.endswith((".gz", ".zip", ".bz2", ".xz", ".zst", ".7z", ".tar", ".rar")):
        raise FileRejected(f"{name} is compressed or an archive. Upload the uncompressed file. {_SUPPORTED_HELP}")
    ext = os.path.splitext(lowered)[1]
    fmt = _EXTENSIONS.get(ext)
    if fmt is None and ext in (".xlsx", ".xls", ".ods", ".numbers"):
        raise FileRejected(f"{name} is a spreadsheet. Export the sheet as CSV (Save as → 'CSV UTF-8') and upload "
                           "the .csv file.")
    if fmt is None:
        kind = f"'{ext}' files are" if ext else "Files without an extension are"
        raise FileRejected(f"{kind} not supported ({name}). {_SUPPORTED_HELP}")
    if fmt == "parquet":
        if head_bytes and not head_bytes.startswith(b"PAR1"):
            raise FileRejected(f"{name} is named .parquet but does not start with the Parquet magic bytes "
                               "'PAR1'. Export the table as Parquet again, or upload it as .csv or .jsonl.")
    else:
        refuse_binary_head(head_bytes, ext.lstrip(".").upper())
    return fmt


_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
_UNSAFE_CHARS = re.compile(r'[<>:"|?*]')


def safe_filename(name: str, max_length: int = 120) -> str:
    """A display- and storage-safe version of a user-supplied file name, extension kept."""
    name = unicodedata.normalize("NFC", name)
    # Browsers on Windows and hand-made API clients may send full or relative paths.
    name = re.split(r"[/\\]", name)[-1]
    # Cf covers bidi overrides such as U+202E, used to disguise "x\u202Etxt.exe" as "xexe.txt".
    name = "".join(" " if ch.isspace() else ch for ch in name
                   if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn") or ch.isspace())
    name = _UNSAFE_CHARS.sub("_", " ".join(name.split()))
    name = name.lstrip(". ").rstrip(". ")  # no hidden files, no "..", no Windows trailing dots
    stem, ext = os.path.splitext(name)
    if len(ext) > 16:
        stem, ext = name, ""
    stem = stem or "upload"
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    return stem[: max(1, max_length - len(ext))] + ext


# -- shared by every text reader (here and in json_reader / csv_reader) --------------------------

_SPREADSHEET_HELP = "export it as CSV (in a spreadsheet app: Save as → 'CSV UTF-8') and upload that file"
_MAGIC: list[tuple[bytes, str, str]] = [
    (b"PK\x03\x04", "a ZIP archive (also how .xlsx, .docx and .odt files are stored)", _SPREADSHEET_HELP),
    (b"PK\x05\x06", "an empty ZIP archive", "upload the data file itself"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (.xls/.doc)", _SPREADSHEET_HELP),
    (b"\x1f\x8b", "a gzip-compressed file", "decompress it and upload the data file itself"),
    (b"\xfd7zXZ\x00", "an xz-compressed file", "decompress it and upload the data file itself"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "extract it and upload the data file itself"),
    (b"\x28\xb5\x2f\xfd", "a zstd-compressed file", "decompress it and upload the data file itself"),
    (b"Rar!\x1a\x07", "a RAR archive", "extract it and upload the data file itself"),
    (b"%PDF-", "a PDF document", "extract the text and upload it as .txt, .csv or .jsonl"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "upload text data; images are not accepted"),
    (b"\xff\xd8\xff", "a JPEG image", "upload text data; images are not accepted"),
    (b"GIF87a", "a GIF image", "upload text data; images are not accepted"),
    (b"GIF89a", "a GIF image", "upload text data; images are not accepted"),
    (b"PAR1", "a Parquet file", "give it the .parquet extension"),
    (b"SQLite format 3\x00", "an SQLite database", "export the table as CSV or JSON Lines"),
    (b"\x7fELF", "an executable program", "upload a data file"),
    (b"\xff\xfe", "UTF-16 or UTF-32 encoded text", "save it again with the UTF-8 encoding"),
    (b"\xfe\xff", "UTF-16 encoded text", "save it again with the UTF-8 encoding"),
]


def refuse_binary_head(head: bytes, what: str) -> None:
    for magic, kind, help_ in _MAGIC:
        if head.startswith(magic):
            raise FileRejected(f"This file is {kind}, not {what} text: {help_}.", line=1, offset=0)
    sample = head[:512]
    # UTF-16 without a BOM: ASCII text with a NUL before or after every character.
    if len(sample) >= 8 and (sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4):
        raise FileRejected(f"This file looks like UTF-16 encoded text, not UTF-8 {what} text: save it again "
                           "with the UTF-8 encoding.", line=1, offset=0)


def _read_full(stream: BinaryIO, size: int) -> bytes:
    # Network streams may return short reads; the magic-number check needs a real head.
    parts: list[bytes] = []
    got = 0
    while got < size:
        part = stream.read(size - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def text_chunks(stream: BinaryIO, opts: ParseOptions, what: str) -> Iterator[tuple[int, int, bytes]]:
    """Yield (byte offset, line number, chunk): BOM stripped, binary content refused."""
    chunk = _read_full(stream, opts.chunk_bytes)
    refuse_binary_head(chunk, what.upper())
    offset, line = 0, 1
    if chunk.startswith(codecs.BOM_UTF8):
        chunk, offset = chunk[3:], 3
    while chunk:
        nul = chunk.find(b"\x00")
        if nul >= 0:
            at_line = line + chunk.count(b"\n", 0, nul)
            raise FileRejected(
                f"Line {at_line} (byte offset {offset + nul}) holds a NUL byte, so this is a binary file, not "
                f"{what.upper()} text. Upload a UTF-8 text file.", line=at_line, offset=offset + nul)
        yield offset, line, chunk
        offset += len(chunk)
        line += chunk.count(b"\n")
        chunk = stream.read(opts.chunk_bytes)


def decode_utf8(data: bytes, line: int, offset: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = line + data.count(b"\n", 0, exc.start)
        raise FileRejected(
            f"Line {bad_line} (byte offset {offset + exc.start}) holds the byte 0x{data[exc.start]:02x}, which is "
            "not valid UTF-8. Save the file with the UTF-8 encoding (spreadsheets: 'CSV UTF-8') and upload it again.",
            line=bad_line, offset=offset + exc.start) from None


def _line_too_long(line: int, offset: int, size: int, opts: ParseOptions, sample: bytes) -> FileRejected:
    hint = (" It seems to use old Mac (CR-only) line endings; save it with LF or CRLF endings."
            if b"\r" in sample else "")
    return FileRejected(
        f"Line {line} (from byte offset {offset}) is longer than {opts.max_line_bytes:,} bytes ({size:,} read so far), "
        f"so the file was not read further.{hint} Put one record per line and keep records under "
        f"{opts.max_record_bytes:,} bytes.", line=line, offset=offset)


def iter_lines(chunks: Iterable[tuple[int, int, bytes]], opts: ParseOptions) -> Iterator[tuple[int, int, bytes]]:
    """Yield (line number, byte offset, line without its line ending)."""
    pending: list[bytes] = []
    pending_len = 0
    line_no, line_off = 1, -1
    for offset, _, chunk in chunks:
        if line_off < 0:
            line_off = offset
        parts = chunk.split(b"\n")
        for part in parts[:-1]:
            if pending:
                part = b"".join(pending) + part
                pending, pending_len = [], 0
            if len(part) > opts.max_line_bytes:
                raise _line_too_long(line_no, line_off, len(part), opts, part[:MiB])
            yield line_no, line_off, part[:-1] if part.endswith(b"\r") else part
            line_off += len(part) + 1
            line_no += 1
        if parts[-1]:
            pending.append(parts[-1])
            pending_len += len(parts[-1])
            # Refuse as soon as the limit is passed instead of buffering a 1 GB "line".
            if pending_len > opts.max_line_bytes:
                raise _line_too_long(line_no, line_off, pending_len, opts, pending[0][:MiB])
    if pending:
        last = b"".join(pending)
        yield line_no, line_off, last[:-1] if last.endswith(b"\r") else last


def record_too_big(row: int, offset: int, line: int, size: int, opts: ParseOptions) -> ParsedRow:
    return ParsedRow(row, offset, None, RowError(
        "", f"The record is {size:,} bytes; the limit is {opts.max_record_bytes:,}. Shorten or split it."), line)


# -- plain text ---------------------------------------------------------------------------------

def _iter_txt(stream: BinaryIO, opts: ParseOptions) -> Iterator[ParsedRow]:
    lines = iter_lines(text_chunks(stream, opts, "txt"), opts)
    field = opts.text_field
    if opts.txt_mode == "line":
        for line_no, offset, raw in lines:
            text = decode_utf8(raw, line_no, offset)
            if not text.strip():
                continue
            if len(raw) > opts.max_record_bytes:
                yield record_too_big(line_no, offset, line_no, len(raw), opts)
            else:
                yield ParsedRow(line_no, offset, {field: text}, None, line_no)
        return
    para: list[str] = []
    start, size = (0, 0), 0
    for line_no, offset, raw in chain(lines, [(0, 0, b"")]):  # the sentinel flushes the last paragraph
        text = decode_utf8(raw, line_no, offset)
        if text.strip():
            if not size:
                start = (line_no, offset)
            size += len(raw) + (1 if size else 0)
            if size <= opts.max_record_bytes:  # past the limit, stop keeping the text but go on counting
                para.append(text)
            continue
        if size:
            if size > opts.max_record_bytes:
                yield record_too_big(start[0], start[1], start[0], size, opts)
            else:
                yield ParsedRow(start[0], start[1], {field: "\n".join(para)}, None, start[0])
        para, size = [], 0


def _reader(fmt: str) -> Callable[[BinaryIO, ParseOptions], Iterator[ParsedRow]]:
    # Imported on use: the readers import the shared pieces above, and only parquet needs pyarrow.
    if fmt in ("jsonl", "json"):
        from datanets import json_reader

        return json_reader.iter_jsonl if fmt == "jsonl" else json_reader.iter_json_array
    if fmt == "csv":
        from datanets import csv_reader

        return csv_reader.iter_csv
    if fmt == "parquet":
        from datanets import parquet_reader

        return parquet_reader.iter_parquet
    if fmt == "txt":
        return _iter_txt
    raise FileRejected(f"Unknown file format {fmt!r}. {_SUPPORTED_HELP}")
