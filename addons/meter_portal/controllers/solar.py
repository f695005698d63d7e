# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.meter_portal_access import _local_midnight_utc

SOLAR_MONTHS = 24


class MeterPortalSolar(CustomerPortal):
    """The resident's solar page: the months of their solar community
    participations (meter_billing ``meter.solar.participant.month``) that lie
    wholly inside their own occupancy periods: solar and grid kWh and
    self-sufficiency, as a table and a bar graph."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "solar_count" in counters:
            values["solar_count"] = len(self._solar_periods())
        return values

    @http.route(
        ["/my/solar", "/my/solar/<int:participant_id>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_solar(self, participant_id=None, **kw):
        """All the user's participations, or the one asked for; another
        participant (not one of the user's homes) is not found."""
        allowed = self._solar_periods()
        if participant_id is not None and participant_id not in allowed:
            raise request.not_found()
        wanted = [participant_id] if participant_id is not None else list(allowed)
        # Checked: the participants are those of the user's own units.
        months_sudo = (
            request.env["meter.solar.participant.month"]
            .sudo()
            .search([("participant_id", "in", wanted)], order="month desc")
        )
        rows = [m for m in months_sudo if self._inside(m, allowed[m.participant_id.id])]
        rows = rows[:SOLAR_MONTHS]
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="solar",
            solar_rows=rows,
            solar_scale=max((r.consumption for r in rows), default=0) or 1,
        )
        return request.render("meter_portal.portal_my_solar", values)

    def _solar_periods(self):
        """``{participant_id: [PortalPeriod]}`` of the user's units (their
        confirmed periods, read under the portal rules)."""
        periods = request.env["meter.portal.access"]._portal_periods()
        units = {}
        for period in periods:
            units.setdefault(period.unit_id, []).append(period)
        if not units:
            return {}
        # Checked: only participations of the user's own units are looked up.
        participants_sudo = (
            request.env["meter.solar.participant"]
            .sudo()
            .search([("billing_point_id.unit_id", "in", list(units))])
        )
        return {p.id: units[p.billing_point_id.unit_id.id] for p in participants_sudo}

    def _inside(self, month_sudo, periods):
        """The month lies wholly inside one of ``periods``."""
        tz = month_sudo.community_id.site_id.tz
        start = _local_midnight_utc(month_sudo.month, tz)
        end = _local_midnight_utc(month_sudo.month + relativedelta(months=1), tz)
        return any(p.start <= start and (not p.end or end <= p.end) for p in periods)
