"""ETag and If-None-Match on the API's detail endpoints.

A 200 GET carries `ETag` (a hash of the body as this caller sees it); a GET that sends the same
value in `If-None-Match` gets `304 Not Modified` with no body, so polling clients (the CLI
following a submission) transfer nothing while nothing changed. The tag is computed from the
rendered body, so it changes exactly when what the caller would see changes.
"""

import hashlib

from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from rest_framework.response import Response


class ETagMixin:
    # Put first in a DRF view's bases: `class ThingDetailApi(ETagMixin, APIView)`. (A comment, not a
    # docstring: the schema would show a docstring as every such endpoint's description.)

    etag = True  # read by openledger.schema to document ETag, If-None-Match and 304

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200 or not isinstance(response, Response):
            return response
        response.render()
        tag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response["ETag"] = tag
        patch_vary_headers(response, ["Authorization", "Cookie"])
        patch_cache_control(response, private=True, no_cache=True)
        return get_conditional_response(request._request, etag=tag, response=response)
