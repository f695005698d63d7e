# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

from meterkit import as_decimal

from odoo import api, fields, models
from odoo.fields import Command

from ..models.billing_usage import UsageError


class MeterTariffSimulate(models.TransientModel):
    """What-if: bill a closed period again with another (e.g. draft) tariff and
    show the per billing point and total deltas. Nothing is written besides
    this wizard; no invoice, no result, no reading."""

    _name = "meter.tariff.simulate"
    _inherit = ["meter.wizard.reopen"]
    _description = "Tariff what-if simulation"

    tariff_id = fields.Many2one(
        "meter.tariff", string="Simulated tariff", required=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    site_ids = fields.Many2many("meter.site", string="Sites")
    billing_point_ids = fields.Many2many("meter.billing.point", string="Billing points")
    line_ids = fields.One2many("meter.tariff.simulate.line", "wizard_id", readonly=True)
    current_total = fields.Monetary(compute="_compute_totals")
    simulated_total = fields.Monetary(compute="_compute_totals")
    delta_total = fields.Monetary(compute="_compute_totals")

    @api.depends("line_ids.current_amount", "line_ids.simulated_amount")
    def _compute_totals(self):
        for wizard in self:
            current = wizard._money_total(wizard.line_ids.mapped("current_amount"))
            simulated = wizard._money_total(wizard.line_ids.mapped("simulated_amount"))
            wizard.current_total = float(current)
            wizard.simulated_total = float(simulated)
            wizard.delta_total = float(simulated - current)

    def _points(self):
        Point = self.env["meter.billing.point"]
        points = self.billing_point_ids
        if self.site_ids:
            points |= Point.search([("site_id", "in", self.site_ids.ids)])
        return points

    def action_simulate(self):
        self.ensure_one()
        points = self._points()
        series = points._series_for(self.date_from, self.date_to)
        days = (self.date_to - self.date_from).days + 1
        cache = {}
        vals_list = []
        for point in points:
            current = self._amount(point, series, days, cache, None)
            simulated = self._amount(point, series, days, cache, self.tariff_id)
            note = current if isinstance(current, str) else simulated
            if isinstance(current, str) or isinstance(simulated, str):
                vals_list.append(
                    Command.create({"billing_point_id": point.id, "note": note})
                )
                continue
            vals_list.append(
                Command.create(
                    {
                        "billing_point_id": point.id,
                        "current_amount": float(current),
                        "simulated_amount": float(simulated),
                        "delta": float(simulated - current),
                    }
                )
            )
        self.line_ids = [Command.clear(), *vals_list]
        return self._reopen()

    def _amount(self, point, series, days, cache, tariff):
        """Untaxed amount of ``point`` over the period, or the reason it cannot
        be computed."""
        try:
            lines = point._prepare_billing_lines(
                self.date_from, self.date_to, series, days, cache, tariff=tariff
            )
        except UsageError as error:
            return str(error)
        return self._money_total(line["amount"] for line in lines)

    def _money_total(self, amounts):
        """The exact Decimal sum of amounts of the wizard's currency."""
        places = self.currency_id.decimal_places
        return sum((as_decimal(a, places) for a in amounts), Decimal(0))
