"""Request body parsers: DRF's, with refusals a client can act on instead of a 500 (or worse).

Python's JSON decoder recurses once per nesting level; a body of a hundred thousand `[` can
exhaust the C stack and kill the process before a RecursionError is raised. So the depth is
measured first, at C speed (strings blanked by a regex, brackets summed by numpy), and a body
nested deeper than any record may be is refused before it is decoded.
"""

import re
from typing import Any

import numpy as np
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils import json

MAX_BODY_DEPTH = 64  # a record may nest 32 levels; the envelope ({"records": [...]}) adds a few
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_OPEN = np.frombuffer(b"[{", dtype=np.uint8)
_CLOSE = np.frombuffer(b"]}", dtype=np.uint8)


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in `raw` (JSON text), ignoring brackets in strings."""
    if b"[" not in raw and b"{" not in raw:
        return 0
    codes = np.frombuffer(_STRING.sub(b'""', raw), dtype=np.uint8)
    steps = np.isin(codes, _OPEN).astype(np.int32) - np.isin(codes, _CLOSE).astype(np.int32)
    return int(np.cumsum(steps).max(initial=0))


class JSONBodyParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        raw = stream.read() if stream is not None else b""
        if json_depth(raw) > MAX_BODY_DEPTH:
            raise ParseError(f"The JSON body nests arrays or objects more than {MAX_BODY_DEPTH} levels deep. Records "
                             "may nest at most 32 levels; flatten them and send again.", code="too_deep")
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            text = raw.decode(encoding)
            parse_constant = json.strict_constant if api_settings.STRICT_JSON else None
            return json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            raise ParseError("The JSON body nests arrays or objects too deeply to read. Flatten the records and "
                             "send again.", code="too_deep") from None
        except ValueError as exc:  # includes UnicodeDecodeError
            raise ParseError(f"JSON parse error - {exc}") from None
