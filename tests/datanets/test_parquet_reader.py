"""Parquet: row groups, value conversion, unseekable streams, and footers that lie."""

import datetime
import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datanets.parsing import RowError, iter_records
from tests.datanets.test_parsing import parse, rejected


def parquet_bytes(table: pa.Table, **kwargs: Any) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **kwargs)
    return buffer.getvalue()


def test_parquet_with_several_row_groups_reads_every_row_in_order():
    texts = [f"record {i}" for i in range(2500)]
    data = parquet_bytes(pa.table({"text": texts, "n": list(range(2500))}), row_group_size=700)
    assert pq.ParquetFile(io.BytesIO(data)).metadata.num_row_groups == 4
    rows = parse(data, "parquet")
    assert [r.row for r in rows] == list(range(1, 2501))
    assert rows[-1].fields == {"text": "record 2499", "n": 2499} and rows[-1].offset is None


def test_parquet_values_become_json_values():
    table = pa.table({"text": ["a", "b"], "when": [datetime.date(2024, 1, 2)] * 2, "x": [1.5, float("nan")],
                      "tags": [["p", "q"], None], "blob": [b"ok", b"\xff\xfe"]})
    rows = parse(parquet_bytes(table), "parquet")
    assert rows[0].fields == {"text": "a", "when": "2024-01-02", "x": 1.5, "tags": ["p", "q"], "blob": "ok"}
    assert rows[1].error == RowError("blob", "The column 'blob' holds binary data that is not UTF-8 text.")


def test_parquet_from_a_stream_that_cannot_seek():
    class Forward(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            chunk = self.inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    data = parquet_bytes(pa.table({"text": ["a", "b", "c"]}))
    assert len(list(iter_records(Forward(data), "parquet"))) == 3


@pytest.mark.parametrize(
    ("options", "expected"),
    [({"max_records": 10}, "claims 20 rows"), ({"max_row_group_bytes": 50}, "Row group 1"),
     ({"max_keys": 1}, "2 columns"), ({"max_depth": 1}, "'tags'")],
)
def test_parquet_metadata_beyond_limits_is_refused_before_reading(options, expected):
    data = parquet_bytes(pa.table({"text": ["t"] * 20, "tags": [["a"]] * 20}), row_group_size=5)
    assert expected in rejected(data, "parquet", **options).message


def test_parquet_with_a_damaged_or_absurd_footer_is_refused():
    data = parquet_bytes(pa.table({"text": ["a"]}))
    absurd = data[:-8] + (2**31).to_bytes(4, "little") + b"PAR1"
    assert "2,147,483,648 bytes of metadata" in rejected(absurd, "parquet").message
    assert "PAR1" in rejected(data[:-4], "parquet").message
    assert "metadata could not be read" in rejected(data[:-20] + data[-8:], "parquet").message
