# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from meterkit import as_decimal
from meterkit.solar import QUANTUM
from meterkit.solar_owner import grid_difference

from odoo import fields, models

from .meter_solar_community import STEP_SECONDS


class MeterSolarCommunity(models.Model):
    """What the owner of a community is paid and pays: the feed-in
    remuneration of the exported energy, the DSO (its partner and the
    accounts of the owner statement), and the tolerance of the grid meter
    reconciliation."""

    _inherit = "meter.solar.community"

    export_price = fields.Float(
        string="Feed-in price",
        digits=(16, 6),
        help="Remuneration per exported kWh paid by the DSO (owner statement).",
    )
    dso_partner_id = fields.Many2one(
        "res.partner",
        string="DSO",
        help="The distribution system operator: it bills the grid supply and "
        "pays the feed-in remuneration.",
    )
    export_account_id = fields.Many2one(
        "account.account",
        string="Feed-in income account",
        check_company=True,
        help="Credited with the feed-in remuneration when a statement is posted.",
    )
    grid_tolerance = fields.Float(
        string="Grid meter tolerance (%)",
        default=1.0,
        help="A month whose grid meter import or export differs from the "
        "computed one by more than this share is flagged.",
    )
    statement_ids = fields.One2many(
        "meter.solar.statement", "community_id", string="Owner statements"
    )

    def action_open_statements(self):
        """The owner statements of this community."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "meter_billing.meter_solar_statement_action"
        )
        action["domain"] = [("community_id", "=", self.id)]
        action["context"] = {"default_community_id": self.id}
        return action

    def action_open_participant_figures(self):
        """Solar and grid kWh and ratios per participant and month."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "meter_billing.meter_solar_participant_month_action"
        )
        action["domain"] = [("community_id", "=", self.id)]
        return action

    # ------------------------------------------------------------
    # GRID METER RECONCILIATION
    # ------------------------------------------------------------

    def action_compute(self, date_from=None, date_to=None):
        result = super().action_compute(date_from, date_to)
        self.action_reconcile_grid()
        return result

    def action_reconcile_grid(self):
        """Compare every shared month with the grid connection meter, read
        once per community on the quarter-hour grid of the sharing
        (``meter.consumption._interval_arrays``)."""
        for community in self.filtered("grid_meter_id"):
            months = community.month_ids.sorted("month")
            if not months:
                continue
            tolerance = as_decimal(community.grid_tolerance)
            for month, (measured_in, measured_out) in zip(
                months, community._grid_meter_months(months), strict=True
            ):
                import_diff, import_flag = grid_difference(
                    measured_in, as_decimal(month.grid_import), tolerance
                )
                export_diff, export_flag = grid_difference(
                    measured_out, as_decimal(month.export), tolerance
                )
                month.write(
                    {
                        "grid_meter_import": float(measured_in),
                        "grid_meter_export": float(measured_out),
                        "import_difference": float(import_diff),
                        "export_difference": float(export_diff),
                        "grid_mismatch": import_flag or export_flag,
                        "grid_checked": True,
                    }
                )
        return True

    def _grid_meter_months(self, months):
        """``[(import, export)]`` kWh (Decimal) of the grid meter in each of
        ``months`` (sorted), from one read of its quarter-hours (T1 import,
        T2 export)."""
        bounds = [self._month_bounds(month.month) for month in months]
        origin = bounds[0][0]
        arrays = self.env["meter.consumption"]._interval_arrays(
            self.grid_meter_id, origin, bounds[-1][1], STEP_SECONDS, QUANTUM
        )
        meter_id = self.grid_meter_id.id
        totals = []
        for start, end in bounds:
            lo, hi = (
                int((at - origin).total_seconds()) // STEP_SECONDS
                for at in (start, end)
            )
            totals.append(
                tuple(
                    QUANTUM
                    * sum(v for v in arrays.get((meter_id, reg), [])[lo:hi] if v)
                    for reg in ("T1", "T2")
                )
            )
        return totals
