# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import request

from odoo.addons.meter_base.controllers.readings_api import MAX_DEPTH, _depth

MAX_BATCH = 1000
MAX_BODY = 4_000_000


def _route(path):
    return http.route(
        f"/meter/api/v1/ocpp/{path}",
        type="http",
        auth="bearer",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )


class OcppApi(http.Controller):
    """The OCPP central system's API (``meterkit.ocpp``), authenticated by an
    Odoo API key (``Authorization: Bearer <key>``) of a technician; the key's
    user sees the charge points, badges and sessions of their sites only.

    - ``POST /meter/api/v1/ocpp/config``: identities, password hashes, badges,
      the token of Odoo's notifications (the body may announce the central
      system's loopback ``notify_port``);
    - ``POST /meter/api/v1/ocpp/events`` ``{"events": [...]}`` (at most 1,000):
      one result per event, idempotent (a replay is ``duplicate``);
    - ``POST /meter/api/v1/ocpp/commands``: commands waiting for the central
      system.
    """

    @_route("config")
    def post_config(self, **_kwargs):
        """``{"notify_port": N}`` (optional): the central system's loopback
        port for Odoo's command notifications."""
        notify_port = None
        if (request.httprequest.content_length or 0) <= 1024:
            body = request.httprequest.get_data(cache=True, parse_form_data=False)
            try:
                payload = json.loads(body or b"{}")
            except (ValueError, UnicodeDecodeError):
                payload = None
            if isinstance(payload, dict):
                notify_port = payload.get("notify_port")
        try:
            config = request.env["meter.ocpp.api"]._config(notify_port=notify_port)
            return request.make_json_response(config)
        except AccessError as error:
            return self._error(403, "forbidden", str(error))

    @_route("commands")
    def post_commands(self, **_kwargs):
        try:
            commands = request.env["meter.ocpp.api"]._commands()
        except AccessError as error:
            return self._error(403, "forbidden", str(error))
        return request.make_json_response({"commands": commands})

    @_route("events")
    def post_events(self, **_kwargs):
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_BODY:
            return self._error(413, "too_large", f"the body exceeds {MAX_BODY} bytes")
        body = httprequest.get_data(cache=True, parse_form_data=False)
        try:
            payload = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            return self._error(400, "bad_json", f"the body is not JSON: {error}")
        if _depth(payload) > MAX_DEPTH:
            return self._error(
                400, "bad_json", f"the body is nested deeper than {MAX_DEPTH} levels"
            )
        events = payload.get("events") if isinstance(payload, dict) else None
        if not isinstance(events, list):
            return self._error(400, "bad_request", 'the body must be {"events": [...]}')
        if len(events) > MAX_BATCH:
            return self._error(
                413, "batch_too_large", f"send at most {MAX_BATCH} events per request"
            )
        try:
            results = request.env["meter.ocpp.api"]._ingest(events)
        except AccessError as error:
            return self._error(403, "forbidden", str(error))
        return request.make_json_response({"results": results})

    def _error(self, status, code, message):
        return request.make_json_response(
            {"error": {"code": code, "message": message}}, status=status
        )
