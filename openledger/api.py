"""Project-wide API conventions: two pagination classes and one error shape.

Every error body is ``{"detail": str, "code": str, "errors": {field: [messages]}}`` so that
clients can show the message and, on a 400, highlight each field.

Every list is ``{"next": url|null, "previous": url|null, "results": [...]}``; clients follow
`next` until it is null. Short lists are numbered pages (`?page=`, and a `count`); lists that
grow without bound (records, submissions, ledger entries, the audit log) use an opaque
`?cursor=` instead, which stays correct while rows are added and costs the same at any depth.
A view chooses with `pagination_class` (and `cursor_ordering` for cursors).
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination as DrfCursorPagination
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class CursorPagination(DrfCursorPagination):
    """Keyset pagination ordered by the view's `cursor_ordering` (a unique, unchanging field is best)."""

    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        ordering = getattr(view, "cursor_ordering", self.ordering)
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.cursor_query_param:
                param["description"] = "Opaque position from a previous page's `next` or `previous` link."
        return params


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        for i, item in enumerate(detail):
            if isinstance(item, (dict, list)) and not isinstance(item, str):
                for k, v in _flatten(item, f"{prefix}[{i}]" if prefix else str(i)).items():
                    out.setdefault(k, []).extend(v)
            else:
                out.setdefault(prefix or "non_field_errors", []).append(str(item))
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024**2
        return Response({"detail": f"The request body is larger than {limit:g} MB. Send fewer records per batch, "
                                   "or upload a file instead (files may be much larger).",
                         "code": "body_too_large", "errors": {}}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first = next(iter(errors.items()), ("", ["Invalid input."]))
        field, messages = first
        detail = messages[0] if field in ("", "non_field_errors") else f"{field}: {messages[0]}"
        response.data = {"detail": detail, "code": "invalid", "errors": errors}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"detail": str(detail), "code": str(code), "errors": {}}
        if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and getattr(exc, "wait", None):
            response.data["retry_after_seconds"] = int(exc.wait)
    return response
