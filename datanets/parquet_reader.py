"""Parquet reader for `datanets.parsing.iter_records`: batch by batch, after checking the footer's claims."""

from __future__ import annotations

import contextlib
import datetime
import decimal
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from datanets.parsing import FileRejected, MiB, ParsedRow, ParseOptions, RowError


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None  # JSON (and PostgreSQL jsonb) has no NaN
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)  # a float would silently lose digits
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("holds binary data that is not UTF-8 text") from None
    raise ValueError(f"holds a value of type {type(value).__name__}, which has no JSON form")


def _type_depth(arrow_type: Any) -> int:
    children = [arrow_type.field(i).type for i in range(arrow_type.num_fields)] if arrow_type.num_fields else []
    return 1 + max((_type_depth(child) for child in children), default=0)


def _seekable(stream: BinaryIO) -> contextlib.AbstractContextManager[BinaryIO]:
    # The Parquet footer is at the end of the file, so a network stream is spooled to disk first.
    if getattr(stream, "seekable", lambda: False)():
        return contextlib.nullcontext(stream)
    spool = tempfile.TemporaryFile()
    shutil.copyfileobj(stream, spool, 1 * MiB)
    spool.seek(0)
    return spool


def open_parquet(f: BinaryIO, opts: ParseOptions) -> Any:
    """Check a seekable Parquet file's framing and metadata against the limits; return its ParquetFile.

    Reads only the footer, so it is cheap enough to run in the upload request.
    """
    size = f.seek(0, os.SEEK_END)
    f.seek(0)
    head = f.read(4)
    f.seek(max(size - 8, 0))
    tail = f.read(8)
    if size < 12 or head != b"PAR1" or tail[4:] != b"PAR1":
        extra = " It is encrypted (PARE), which is not supported." if tail[4:] == b"PARE" else ""
        raise FileRejected("This is not a complete Parquet file: it must start and end with 'PAR1'." + extra +
                           " Export the table as Parquet again, or upload it as .csv or .jsonl.")
    footer = int.from_bytes(tail[:4], "little")
    if footer > min(size - 12, opts.max_parquet_metadata_bytes):
        raise FileRejected(f"The Parquet footer claims {footer:,} bytes of metadata in a {size:,}-byte file "
                           f"(limit {opts.max_parquet_metadata_bytes:,}). The file is damaged or not supported.")
    f.seek(0)
    try:
        pf = pq.ParquetFile(f)
    except (pa.ArrowException, OSError, ValueError) as exc:
        reason = " ".join(str(exc).split())
        raise FileRejected(f"The Parquet metadata could not be read ({reason}). Export the file again.") from None
    _check_parquet_metadata(pf, opts)
    return pf


def iter_parquet(stream: BinaryIO, opts: ParseOptions) -> Iterator[ParsedRow]:
    with _seekable(stream) as f:
        pf = open_parquet(f, opts)
        row = 0
        try:
            for batch in pf.iter_batches(batch_size=1024):
                for values in batch.to_pylist():
                    row += 1
                    yield _parquet_row(row, values, opts)
        except (pa.ArrowException, OSError) as exc:
            reason = " ".join(str(exc).split())
            raise FileRejected(f"Reading the Parquet data failed after row {row} ({reason}). The file is damaged; "
                               "export it again.") from None


def _check_parquet_metadata(pf: Any, opts: ParseOptions) -> None:
    md = pf.metadata
    if md.num_rows > opts.max_records:
        raise FileRejected(f"The Parquet file claims {md.num_rows:,} rows; at most {opts.max_records:,} are "
                           "allowed in one upload. Split it into smaller files.")
    if md.num_columns > opts.max_keys:
        raise FileRejected(f"The Parquet file has {md.num_columns:,} columns; at most {opts.max_keys:,} are allowed.")
    for i in range(md.num_row_groups):
        group = md.row_group(i)
        claimed = max(group.total_byte_size,
                      sum(group.column(c).total_uncompressed_size for c in range(group.num_columns)))
        if group.num_rows < 0 or group.num_rows > opts.max_records or claimed > opts.max_row_group_bytes:
            raise FileRejected(
                f"Row group {i + 1} of the Parquet file claims {group.num_rows:,} rows and {claimed:,} bytes "
                f"uncompressed; the limits are {opts.max_records:,} rows and {opts.max_row_group_bytes:,} bytes. "
                "Write the file with smaller row groups (e.g. pyarrow's row_group_size) and upload again.")
    for field in pf.schema_arrow:
        if _type_depth(field.type) > opts.max_depth:
            raise FileRejected(f"The Parquet column {field.name!r} nests deeper than {opts.max_depth} levels. "
                               "Flatten it and upload again.")


def _parquet_row(row: int, values: dict[str, Any], opts: ParseOptions) -> ParsedRow:
    fields: dict[str, Any] = {}
    for name, value in values.items():
        try:
            fields[name] = _jsonable(value)
        except ValueError as exc:
            return ParsedRow(row, None, None, RowError(name, f"The column {name!r} {exc}."))
    size = len(json.dumps(fields, ensure_ascii=False).encode())
    if size > opts.max_record_bytes:
        return ParsedRow(row, None, None, RowError(
            "", f"The record is {size:,} bytes; the limit is {opts.max_record_bytes:,}. Shorten or split it."))
    return ParsedRow(row, None, fields)
