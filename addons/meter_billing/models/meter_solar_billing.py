# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from meterkit import as_decimal

from odoo import models
from odoo.tools import format_date

from .billing_usage import UsageError


class MeterBillingPoint(models.Model):
    _inherit = "meter.billing.point"

    def _consumption_by_part(self, start, end, components):
        """The solar and grid kWh of this point on ``[start, end]`` (local
        days) from its community's stored shares, when a component of
        ``components`` prices a part: ``{"solar": Decimal, "grid": Decimal}``
        (``{}`` otherwise).

        :raise UsageError: the point is in no community, a day of the period
            is not shared yet, or the solar price exceeds the community's cap
            (RULES.md §2.1).
        """
        self.ensure_one()
        # usage components price their sessions' parts (meter_usage_solar)
        priced = components.filtered(
            lambda c: c.part != "both" and c.component_type == "energy"
        )
        if not priced:
            return {}
        participant = self.env["meter.solar.participant"].search(
            [("billing_point_id", "=", self.id)], limit=1
        )
        if not participant:
            raise UsageError(
                self.env._(
                    "%(point)s is billed a solar or grid part but takes part in no "
                    "solar community.",
                    point=self.display_name,
                )
            )
        self._check_solar_price(participant.community_id, priced)
        shares = self.env["meter.solar.share"].search(
            [
                ("participant_id", "=", participant.id),
                ("date", ">=", start.replace(day=1)),
                ("date", "<=", end),
            ]
        )
        # rows of the daily layout before 19.0.1.1 have no days: shared again
        shares = shares.filtered("day_units")
        months = set()
        month = start.replace(day=1)
        while month <= end:
            months.add(month)
            month += relativedelta(months=1)
        if not months <= set(shares.mapped("date")):
            raise UsageError(
                self.env._(
                    "The solar shares of %(point)s between %(start)s and %(end)s "
                    "are not computed: compute the community %(community)s first.",
                    point=self.display_name,
                    start=format_date(self.env, start),
                    end=format_date(self.env, end),
                    community=participant.community_id.display_name,
                )
            )
        solar, grid = shares._period_kwh(start, end)
        return {"solar": solar, "grid": grid}

    def _check_solar_price(self, community, components):
        """The solar price per kWh (the solar components plus the per-kWh
        components of both parts, e.g. metering) may not exceed the cap."""
        if not community.tenant_protection or not community.standard_price:
            return
        per_kwh = components.version_id.component_ids.filtered(
            lambda c: c.component_type == "energy" and c.part in ("solar", "both")
        )
        price = sum((as_decimal(c.price) for c in per_kwh), Decimal(0))
        cap = community._price_cap()
        if price > cap:
            raise UsageError(
                self.env._(
                    "The internal solar price %(price)s per kWh of %(point)s "
                    "exceeds the legal cap %(cap)s of community %(community)s "
                    "(%(method)s method, RULES.md 2.1).",
                    price=price,
                    point=self.display_name,
                    cap=cap.quantize(Decimal("0.000001")).normalize(),
                    community=community.display_name,
                    method=community.price_cap_method,
                )
            )
