# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

from meterkit.solar_owner import ratio

from odoo import fields, models

KWH = (16, 4)


class MeterSolarParticipantMonth(models.Model):
    """A participant's month of a community: its consumption, solar and grid
    kWh (the sum of its daily shares) and its ratios
    (:func:`meterkit.solar_owner.ratio`):

    - self-sufficiency: solar / consumption (%);
    - production share: solar / the community's production (%), the
      participant's part of the community's self-consumption ratio (the
      participants' production shares add up to it).

    Written with the month's sharing; read by the graphs, the portal and
    other addons (e.g. the solar share of charging sessions).
    """

    _name = "meter.solar.participant.month"
    _description = "Solar Participant Month"
    _order = "month desc, participant_id"
    _rec_name = "month"

    month_id = fields.Many2one(
        "meter.solar.month",
        string="Community month",
        required=True,
        ondelete="cascade",
        index=True,
    )
    community_id = fields.Many2one(
        related="month_id.community_id", store=True, index=True
    )
    company_id = fields.Many2one(related="month_id.company_id", store=True)
    month = fields.Date(related="month_id.month", store=True)
    participant_id = fields.Many2one(
        "meter.solar.participant", required=True, ondelete="cascade", index=True
    )
    billing_point_id = fields.Many2one(
        related="participant_id.billing_point_id", store=True, index=True
    )
    unit_id = fields.Many2one(related="billing_point_id.unit_id", store=True)
    consumption = fields.Float(digits=KWH, readonly=True)
    solar = fields.Float(digits=KWH, readonly=True)
    grid = fields.Float(digits=KWH, readonly=True)
    self_sufficiency = fields.Float(
        readonly=True, aggregator="avg", help="Solar share of the consumption (%)."
    )
    production_share = fields.Float(
        readonly=True,
        aggregator="sum",
        help="Solar of the participant over the community's production (%).",
    )

    _participant_month_once = models.UniqueIndex("(month_id, participant_id)")

    def _store(self, shared):
        """Replace the rows of the community months of ``shared``, a list of
        ``(meter.solar.month, meterkit.solar.SharingResult keyed by
        participant and day)``, in one create."""
        if not shared:
            return self
        months = self.env["meter.solar.month"].concat(*(m for m, _r in shared))
        self.search([("month_id", "in", months.ids)]).unlink()
        return self.create(
            [vals for month, result in shared for vals in self._prepare(month, result)]
        )

    def _prepare(self, month, result):
        """The values of the participant rows of ``month``."""
        totals = {}
        for (participant_id, _day), bands in result.participants.items():
            sums = totals.setdefault(participant_id, [Decimal(0)] * 3)
            for share in bands.values():
                sums[0] += share.consumption
                sums[1] += share.solar
                sums[2] += share.grid
        production = sum(
            (day.production for day in result.community.values()), Decimal(0)
        )
        return [
            {
                "month_id": month.id,
                "participant_id": participant_id,
                "consumption": float(consumption),
                "solar": float(solar),
                "grid": float(grid),
                "self_sufficiency": float(ratio(solar, consumption) or 0),
                "production_share": float(ratio(solar, production) or 0),
            }
            for participant_id, (consumption, solar, grid) in totals.items()
        ]
