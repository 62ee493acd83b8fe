"""JSON Lines and JSON-array readers for `datanets.parsing.iter_records`.

Every record is decoded on its own, after its size and nesting depth were checked on the raw
bytes, so neither a huge record nor a deeply nested one ever reaches `json` whole.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from datanets.parsing import (
    EMPTY_HELP,
    FileRejected,
    ParsedRow,
    ParseOptions,
    RowError,
    decode_utf8,
    iter_lines,
    record_too_big,
    text_chunks,
)


class _TooManyKeys(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON; use null or a number")


def _json_decoder(opts: ParseOptions) -> json.JSONDecoder:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        if len(items) > opts.max_keys:
            raise _TooManyKeys(len(items))
        return dict(items)

    return json.JSONDecoder(object_pairs_hook=pairs, parse_constant=_reject_constant)


_DEPTH_TOKENS = re.compile(rb'["\\\[\]{}]')


def _depth_overflow(data: bytes, limit: int) -> int | None:
    """Index in `data` where JSON nesting passes `limit`; checked before json recurses into it."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return None
    depth, in_str, escaped_until = 0, False, -1
    for match in _DEPTH_TOKENS.finditer(data):
        pos = match.start()
        if pos < escaped_until:
            continue
        char = data[pos]
        if in_str:
            if char == 0x5C:
                escaped_until = pos + 2
            elif char == 0x22:
                in_str = False
        elif char == 0x22:
            in_str = True
        elif char in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return pos
        elif char in (0x5D, 0x7D):
            depth -= 1
    return None


def _too_deep(opts: ParseOptions, line: int, offset: int) -> FileRejected:
    return FileRejected(
        f"Line {line} (byte offset {offset}) nests JSON deeper than {opts.max_depth} levels. "
        "Flatten the records (nested objects and lists within that depth) and upload again.", line=line, offset=offset)


def _json_row(decoder: json.JSONDecoder, text: str, *, row: int, line: int, offset: int,
              opts: ParseOptions, in_line: bool) -> ParsedRow:
    try:
        value = decoder.decode(text)
    except _TooManyKeys as exc:
        raise FileRejected(
            f"The record at line {line} (byte offset {offset}) has an object with {exc.args[0]:,} keys; at most "
            f"{opts.max_keys:,} are allowed. Keep only the fields the datanet needs.",
            line=line, offset=offset) from None
    except json.JSONDecodeError as exc:
        where = (f"column {exc.colno}" if in_line else
                 f"line {line + exc.lineno - 1}, byte offset {offset + len(text[:exc.pos].encode())}")
        return ParsedRow(row, offset, None, RowError("", f"Not valid JSON: {exc.msg} ({where})."), line)
    except ValueError as exc:  # e.g. NaN, or an integer with more digits than Python accepts
        return ParsedRow(row, offset, None, RowError("", f"Not valid JSON: {exc}."), line)
    if not isinstance(value, dict):
        kind = {list: "an array", str: "a string", bool: "true/false", type(None): "null"}.get(type(value), "a number")
        return ParsedRow(row, offset, None, RowError("", f"Expected a JSON object {{...}}, found {kind}."), line)
    return ParsedRow(row, offset, value, None, line)


def iter_jsonl(stream: BinaryIO, opts: ParseOptions) -> Iterator[ParsedRow]:
    decoder = _json_decoder(opts)
    first = True
    for line_no, offset, raw in iter_lines(text_chunks(stream, opts, "jsonl"), opts):
        stripped = raw.strip()
        if not stripped:
            continue
        if first and (stripped == b"{" or stripped.startswith(b"[")):
            raise FileRejected(
                f"Line {line_no} starts with '{stripped[:1].decode()}': this looks like pretty-printed JSON, not JSON "
                "Lines. Put each object on a single line, or upload a JSON array as a .json file.",
                line=line_no, offset=offset)
        first = False
        if len(raw) > opts.max_record_bytes:
            yield record_too_big(line_no, offset, line_no, len(raw), opts)
            continue
        text = decode_utf8(raw, line_no, offset)
        deep = _depth_overflow(raw, opts.max_depth)
        if deep is not None:
            raise _too_deep(opts, line_no, offset + deep)
        yield _json_row(decoder, text, row=line_no, line=line_no, offset=offset, opts=opts, in_line=True)


# A whole string in one match (the unrolled form stays linear), else one structural byte; a lone
# '"' matches only when the string's closing quote is not in this chunk.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},"]')
_IN_STRING = re.compile(rb'["\\]')
_NON_SPACE = re.compile(rb"[^ \t\r\n]")


class _Element:
    """The array element being read: its bytes so far and, once seen, where its first byte is."""

    __slots__ = ("pieces", "size", "offset", "line")

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        self.size = 0
        self.offset = -1
        self.line = 0


def _locate(elem: _Element, chunk: bytes, begin: int, end: int, base: int, line: int, counted: int) -> tuple[int, int]:
    """Record where `elem` starts if its first byte is in chunk[begin:end]; return (line, counted)."""
    if elem.offset < 0:
        m = _NON_SPACE.search(chunk, begin, end)
        if m is not None:
            p = m.start()
            line += chunk.count(b"\n", counted, p)
            elem.offset, elem.line = base + p, line
            return line, p
    return line, counted


def iter_json_array(stream: BinaryIO, opts: ParseOptions) -> Iterator[ParsedRow]:
    """Split a top-level JSON array into its elements by scanning bytes, then decode each alone.

    A scanner rather than an event parser, so that each record keeps its byte offset and line,
    nesting is limited before `json` recurses, and an oversized record is skipped without ever
    being held in memory. Only brackets and commas outside strings matter for the split.
    """
    decoder = _json_decoder(opts)
    limit, max_stack = opts.max_record_bytes, opts.max_depth + 1
    state = 0  # 0 before the opening '[', 1 inside the array, 2 after the closing ']'
    stack = bytearray()  # open brackets, to notice a '}' closing a '['
    in_str, carry, index = False, 0, 0
    elem: _Element | None = None
    for base, line, chunk in text_chunks(stream, opts, "json"):
        n, pos, counted, begin = len(chunk), carry, 0, 0  # begin: where `elem`'s bytes start in this chunk
        carry = 0
        while pos < n:
            if in_str:
                m = _IN_STRING.search(chunk, pos)
                if m is None:
                    pos = n
                elif chunk[m.start()] == 0x5C:
                    pos = m.start() + 2
                else:
                    in_str, pos = False, m.end()
                continue
            if state != 1:
                m = _NON_SPACE.search(chunk, pos)
                if m is None:
                    pos = n
                    break
                p = m.start()
                line += chunk.count(b"\n", counted, p)
                counted = p
                if state == 2:
                    raise FileRejected(f"Line {line} (byte offset {base + p}) has content after the closing ']' of "
                                       "the array. A .json file must hold exactly one JSON array.",
                                       line=line, offset=base + p)
                if chunk[p] != 0x5B:
                    hint = " For one object per line, name the file .jsonl." if chunk[p] == 0x7B else ""
                    raise FileRejected(f"A .json file must be a JSON array of objects: [{{...}}, {{...}}], but it "
                                       f"starts with {chr(chunk[p])!r} at line {line}.{hint}",
                                       line=line, offset=base + p)
                state, pos, begin, elem = 1, p + 1, p + 1, _Element()
                stack.append(0x5B)
                continue
            for m in _TOKEN.finditer(chunk, pos):
                p = m.start()
                char = chunk[p]
                if char == 0x22:
                    if m.end() - p == 1:
                        in_str, pos = True, p + 1
                        break
                    continue
                if char == 0x5B or char == 0x7B:
                    stack.append(char)
                    if len(stack) > max_stack:
                        raise _too_deep(opts, line + chunk.count(b"\n", counted, p), base + p)
                    continue
                if char == 0x2C and len(stack) > 1:
                    continue
                if char != 0x2C:
                    if stack[-1] != char - 2:  # ']' is '[' + 2 and '}' is '{' + 2
                        at = line + chunk.count(b"\n", counted, p)
                        raise FileRejected(f"Line {at} (byte offset {base + p}) closes a bracket with {chr(char)!r} "
                                           "that does not match the one opened before it. Fix the JSON and upload "
                                           "again.", line=at, offset=base + p)
                    stack.pop()
                    if stack:
                        continue
                # A ',' or the closing ']' at the top level ends the current element.
                assert elem is not None
                line, counted = _locate(elem, chunk, begin, p, base, line, counted)
                elem.size += p - begin
                if elem.offset >= 0:  # else an empty slot, such as after a trailing comma
                    index += 1
                    yield _element_row(decoder, elem, chunk[begin:p], index, opts)
                if stack:
                    elem, begin = _Element(), p + 1
                else:
                    state, elem, pos = 2, None, p + 1
                    break
            else:
                pos = n
        if pos > n:  # a backslash escape was split across chunks
            carry = pos - n
        if elem is not None:
            line, counted = _locate(elem, chunk, begin, n, base, line, counted)
            elem.size += n - begin
            elem.pieces = [*elem.pieces, chunk[begin:]] if elem.size <= limit else []
    if state == 0:
        raise FileRejected("The file is empty. " + EMPTY_HELP["json"])
    if state == 1:
        known = elem is not None and elem.offset >= 0
        where = f" (the last record starts at line {elem.line}, byte offset {elem.offset})" if elem and known else ""
        raise FileRejected(f"The file ends before the JSON array is closed with ']'{where}. It may be truncated; "
                           "upload the complete file.", line=elem.line if elem and known else None,
                           offset=elem.offset if elem and known else None)


def _element_row(decoder: json.JSONDecoder, elem: _Element, tail: bytes, index: int, opts: ParseOptions) -> ParsedRow:
    if elem.size > opts.max_record_bytes:
        return record_too_big(index, elem.offset, elem.line, elem.size, opts)
    raw = (b"".join(elem.pieces) + tail if elem.pieces else tail).lstrip(b" \t\r\n")
    text = decode_utf8(raw, elem.line, elem.offset)
    return _json_row(decoder, text, row=index, line=elem.line, offset=elem.offset, opts=opts, in_line=False)
