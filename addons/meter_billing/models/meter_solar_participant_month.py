# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

from meterkit.solar_owner import ratio

from odoo import fields, models
from odoo.tools import SQL

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
        participant and day)``, in one INSERT (the rows are derived data,
        written whole with their related values, like the shares): 600 rows
        for a year of 50 participants."""
        if not shared:
            return self
        self.check_access("create")
        months = self.env["meter.solar.month"].concat(*(m for m, _r in shared))
        self.search([("month_id", "in", months.ids)]).unlink()
        rows = [
            vals for month, result in shared for vals in self._prepare(month, result)
        ]
        if not rows:
            return self
        names = list(rows[0])
        ids = self.env.execute_query(
            SQL(
                """
                INSERT INTO meter_solar_participant_month (%(columns)s, create_uid,
                       create_date, write_uid, write_date)
                SELECT u.*, %(uid)s, now() at time zone 'UTC', %(uid)s,
                       now() at time zone 'UTC'
                  FROM unnest(%(arrays)s) AS u
             RETURNING id
                """,
                columns=SQL(", ").join(SQL.identifier(name) for name in names),
                uid=self.env.uid,
                arrays=SQL(", ").join(
                    SQL(
                        "%s::" + self._fields[name].column_type[1] + "[]",
                        [r[name] for r in rows],
                    )
                    for name in names
                ),
            )
        )
        self.invalidate_model()
        return self.browse(row[0] for row in ids)

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
        participants = self.env["meter.solar.participant"].browse(list(totals))
        points = {p.id: p.billing_point_id for p in participants}
        return [
            {
                "month_id": month.id,
                "participant_id": participant_id,
                # the related values, given: no recompute per row
                "community_id": month.community_id.id,
                "company_id": month.company_id.id,
                "month": month.month,
                "billing_point_id": points[participant_id].id,
                "unit_id": points[participant_id].unit_id.id,
                "consumption": float(consumption),
                "solar": float(solar),
                "grid": float(grid),
                "self_sufficiency": float(ratio(solar, consumption) or 0),
                "production_share": float(ratio(solar, production) or 0),
            }
            for participant_id, (consumption, solar, grid) in totals.items()
        ]
