# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from .portal import portal_counters, portal_record

SESSIONS_PER_PAGE = 50


class MeterUsagePortal(CustomerPortal):
    """The resident's usage sessions (EV charging, laundry, eBike): the
    sessions of their own occupancies only (portal record rule), each with
    its charge point, times, energy, stop reason and how it was paid."""

    def _prepare_home_portal_values(self, counters):
        return portal_counters(
            super()._prepare_home_portal_values(counters),
            counters,
            usage_session_count="meter.usage.session",
        )

    @http.route(
        ["/my/sessions", "/my/sessions/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_sessions(self, page=1, **kw):
        Session = request.env["meter.usage.session"]
        if not Session.has_access("read"):
            return request.redirect("/my")
        count = Session.search_count([])
        pager = portal_pager(
            url="/my/sessions", total=count, page=page, step=SESSIONS_PER_PAGE
        )
        # found as the user (their own sessions), shown as superuser: the
        # charge point and badge names live in records they cannot read
        sessions = Session.search(
            [],
            order="start_at desc, id desc",
            limit=SESSIONS_PER_PAGE,
            offset=pager["offset"],
        )
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="usage_sessions", sessions_sudo=sessions.sudo(), pager=pager
        )
        return request.render("meter_portal.portal_my_usage_sessions", values)

    @http.route("/my/sessions/<int:session_id>", type="http", auth="user", website=True)
    def portal_my_session(self, session_id, **kw):
        try:
            session = portal_record(
                "meter.usage.session",
                session_id,
                request.env._("This session does not exist."),
            )
        except (AccessError, MissingError):
            return request.redirect("/my/sessions")
        session_sudo = session.sudo()
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="usage_session",
            session_sudo=session_sudo,
            billed_sudo=session_sudo.billing_line_id,
            deducted_sudo=session_sudo.prepaid_move_ids,
        )
        return request.render("meter_portal.portal_my_usage_session", values)
