"""Request body parsers: DRF's, with refusals a client can act on instead of a 500."""

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class JSONBodyParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("The JSON body nests arrays or objects too deeply to read. Records may nest at most "
                             "32 levels; flatten them and send again.", code="too_deep") from None
