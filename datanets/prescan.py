"""A byte-level check of a whole upload while it is hashed, so that a file that cannot be ingested
is refused in the upload request (a 4xx with the line and byte offset) instead of failing later.

It only looks at what can be checked at C speed on every byte: UTF-8 validity, NUL bytes, the
length of physical lines, and for .json files the first character. Everything that needs parsing
(schema, nesting, keys per record) stays with the readers, where it becomes a row error.
"""

import codecs

from datanets.parsing import FileRejected, ParseOptions, decode_utf8

_WHITESPACE = b" \t\r\n"


class TextPrescan:
    """Feed the file's bytes in order with `feed`, then call `finish`; raises FileRejected."""

    def __init__(self, fmt: str, opts: ParseOptions) -> None:
        self.fmt = fmt
        self.what = fmt.upper()
        self.max_line = None if fmt == "json" else opts.max_line_bytes  # minified JSON is one long line
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.offset = 0  # bytes fed so far
        self.line = 1
        self.line_start = 0  # byte offset where the current line starts
        self.first_seen = fmt != "json"
        self.bom_checked = False

    def feed(self, chunk: bytes) -> None:
        if not self.bom_checked:
            self.bom_checked = True
            if chunk.startswith(codecs.BOM_UTF8):
                chunk = chunk[3:]
                self.offset = self.line_start = 3
        if not chunk:
            return
        self._check_nul(chunk)
        self._check_utf8(chunk)
        if not self.first_seen:
            self._check_json_start(chunk)
        self._check_lines(chunk)
        self.offset += len(chunk)

    def finish(self) -> None:
        try:
            self.decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise FileRejected(f"The file ends in the middle of a UTF-8 character (line {self.line}). It may be "
                               "truncated; save it again with the UTF-8 encoding and upload it again.",
                               line=self.line, offset=self.offset) from None

    def _check_nul(self, chunk: bytes) -> None:
        nul = chunk.find(b"\x00")
        if nul >= 0:
            line = self.line + chunk.count(b"\n", 0, nul)
            raise FileRejected(
                f"Line {line} (byte offset {self.offset + nul}) holds a NUL byte, so this is a binary file, not "
                f"{self.what} text. Upload a UTF-8 text file.", line=line, offset=self.offset + nul)

    def _check_utf8(self, chunk: bytes) -> None:
        pending = self.decoder.getstate()[0]  # the start of a character split across chunks
        try:
            self.decoder.decode(chunk)
        except UnicodeDecodeError:
            decode_utf8(pending + chunk, self.line, self.offset - len(pending))  # raises with line and offset
            raise FileRejected(f"Near line {self.line} the file holds bytes that are not valid UTF-8. Save the "
                               "file with the UTF-8 encoding and upload it again.", line=self.line,
                               offset=self.offset) from None

    def _check_json_start(self, chunk: bytes) -> None:
        stripped = chunk.lstrip(_WHITESPACE)
        if not stripped:
            return
        self.first_seen = True
        if stripped[0] != 0x5B:
            at = len(chunk) - len(stripped)
            line = self.line + chunk.count(b"\n", 0, at)
            hint = (" It is one JSON object; put the records in an array, or one object per line in a .jsonl file."
                    if stripped[0] == 0x7B else "")
            raise FileRejected(f"A .json file must be a JSON array of objects: [{{...}}, {{...}}], but it starts "
                               f"with {chr(stripped[0])!r} at line {line}.{hint}", line=line, offset=self.offset + at)

    def _check_lines(self, chunk: bytes) -> None:
        newlines = chunk.count(b"\n")
        if self.max_line is not None:
            first = chunk.find(b"\n")
            current = (self.offset - self.line_start) + (first if first >= 0 else len(chunk))
            longest = current
            if first >= 0 and newlines > 1:
                longest = max(current, max(map(len, chunk[first + 1:].split(b"\n"))))
            elif first >= 0:
                longest = max(current, len(chunk) - first - 1)
            if longest > self.max_line:
                self._line_too_long(chunk, first)
        if newlines:
            self.line += newlines
            self.line_start = self.offset + chunk.rfind(b"\n") + 1

    def _line_too_long(self, chunk: bytes, first: int) -> None:
        # Find which line: walk the lines of this chunk (rare path, only on refusal).
        line, start = self.line, self.line_start
        pos = 0
        while True:
            nl = chunk.find(b"\n", pos)
            end = self.offset + (nl if nl >= 0 else len(chunk))
            if end - start > self.max_line:
                break
            line += 1
            start = self.offset + nl + 1
            pos = nl + 1
        raise FileRejected(
            f"Line {line} (from byte offset {start}) is longer than {self.max_line:,} bytes, so the file was "
            f"refused. Put one record per line and keep each record under the record size limit.",
            line=line, offset=start)
