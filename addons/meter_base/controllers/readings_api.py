# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import request

MAX_BATCH = 1000
MAX_BODY = 4_000_000
# {"readings": [{"value": ...}]} is 3 levels deep; extra data may add a few.
MAX_DEPTH = 8


class ReadingsApi(http.Controller):
    """``POST /meter/api/v1/readings``: readings from systems and gateways.

    Authenticated by an Odoo API key (``Authorization: Bearer <key>``); the
    key's user needs the right to create readings and sees only the meters of
    their sites. The body is ``{"readings": [item, ...]}`` (at most 1,000
    items); each item is stored once per meter, register and instant, and
    gets its own result.
    """

    @http.route(
        "/meter/api/v1/readings",
        type="http",
        auth="bearer",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def post_readings(self, **_kwargs):
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_BODY:
            return self._error(413, "too_large", f"the body exceeds {MAX_BODY} bytes")
        # Cached: after a serialization failure Odoo calls this method again on
        # the same request, and the stream can be read only once.
        body = httprequest.get_data(cache=True, parse_form_data=False)
        if len(body) > MAX_BODY:
            return self._error(413, "too_large", f"the body exceeds {MAX_BODY} bytes")
        try:
            payload = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError) as error:
            return self._error(400, "bad_json", f"the body is not JSON: {error}")
        except RecursionError:
            return self._error(400, "bad_json", "the body is nested too deeply")
        if _depth(payload) > MAX_DEPTH:
            return self._error(
                400, "bad_json", f"the body is nested deeper than {MAX_DEPTH} levels"
            )
        items = payload.get("readings") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            return self._error(
                400, "bad_request", 'the body must be {"readings": [...]}'
            )
        if len(items) > MAX_BATCH:
            return self._error(
                413,
                "batch_too_large",
                f"{len(items)} readings; send at most {MAX_BATCH} per request",
            )
        source = payload.get("source", "api")
        if source not in ("api", "gateway"):
            return self._error(400, "bad_request", 'source must be "api" or "gateway"')
        try:
            result = request.env["meter.reading.exchange"]._ingest_items(
                items, source=source
            )
        except AccessError as error:
            return self._error(403, "forbidden", str(error))
        return request.make_json_response(result)

    def _error(self, status, code, message):
        return request.make_json_response(
            {"error": {"code": code, "message": message}}, status=status
        )


def _depth(value):
    """How deeply lists and objects nest in ``value`` (a scalar is 0), without
    recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = (
            item.values()
            if isinstance(item, dict)
            else item
            if isinstance(item, list)
            else None
        )
        if children is None:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest
