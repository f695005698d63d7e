# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The solar part of usage sessions on the site of a self-consumption
community, for usage components that price the solar or the grid kWh."""

from datetime import UTC
from decimal import ROUND_HALF_UP
from zoneinfo import ZoneInfo

from meterkit import as_decimal
from meterkit.usage_pricing import (
    INTERVAL,
    KWH,
    session_intervals,
    session_solar_kwh,
    solar_ratio,
)

from odoo import models
from odoo.exceptions import UserError

from .billing_usage import UsageError


class MeterSolarCommunity(models.Model):
    _inherit = "meter.solar.community"

    def _session_solar_kwh(self, session):
        """The solar kWh of a stopped ``session`` on this community's site:
        its energy spread evenly over its 15-minute intervals, each at the
        community's solar ratio of that interval (the sharing of the
        interval data, RULES.md 2.2). When an interval of the session has no
        data (filled, or no data at all), the ratio of the session's local
        month (``meter.solar.month``: self-consumed / consumption) applies.

        :raise UsageError: neither the intervals nor the month are known.
        """
        self.ensure_one()
        energy = as_decimal(session.energy_kwh)
        start, stop = session.start_at, session.stop_at
        starts = session_intervals(start, stop)
        try:
            result, flags = self._share(
                starts[0], starts[-1] + INTERVAL, period_of=lambda at: at
            )
            if not any(f.kind == "filled" for f in flags):
                ratios = {
                    at: solar_ratio(t.self_consumed, t.consumption, t.production)
                    for at, t in result.community.items()
                }
                return session_solar_kwh(energy, start, stop, ratios)
        except (UserError, KeyError):
            pass
        zone = ZoneInfo(self.site_id.tz or "UTC")
        local = stop.replace(tzinfo=UTC).astimezone(zone).date().replace(day=1)
        month = self.month_ids.filtered(lambda m: m.month == local)
        if not month:
            raise UsageError(
                self.env._(
                    "%(session)s: the solar sharing of community %(community)s "
                    "is not computed for %(month)s: compute it first.",
                    session=session.display_name,
                    community=self.display_name,
                    month=local.strftime("%Y-%m"),
                )
            )
        ratio = solar_ratio(
            as_decimal(month.self_consumed),
            as_decimal(month.consumption),
            as_decimal(month.production),
        )
        return (energy * ratio).quantize(KWH, ROUND_HALF_UP)


class MeterBillingPoint(models.Model):
    _inherit = "meter.billing.point"

    def _usage_solar_kwh(self, sessions):
        """``{session id: solar kWh}`` of ``sessions`` (Decimal).

        :raise UsageError: a session's site is in no community."""
        communities = self.env["meter.solar.community"].search(
            [("site_id", "in", sessions.site_id.ids)]
        )
        by_site = {c.site_id: c for c in communities}
        solar = {}
        for session in sessions:
            community = by_site.get(session.site_id)
            if not community:
                raise UsageError(
                    self.env._(
                        "%(session)s is priced by solar and grid parts but its "
                        "site %(site)s has no solar community.",
                        session=session.display_name,
                        site=session.site_id.display_name,
                    )
                )
            solar[session.id] = community._session_solar_kwh(session)
        return solar
