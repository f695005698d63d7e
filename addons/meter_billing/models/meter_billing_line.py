# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

from meterkit import as_decimal
from meterkit.allocation import invoice_line, round_money
from meterkit.tariffs import CONSUMPTION_KINDS

from odoo import fields, models

from .billing_usage import shown_quantity
from .meter_tariff_component import COMPONENT_TYPES, PRICE_DIGITS

PERIOD_TYPES = ("fixed", "area", "demand_capacity", "demand_peak")
QUANTITY_DIGITS = (16, 4)


class MeterBillingLine(models.Model):
    """One computed line: what is billed, to whom, and why.

    It keeps everything needed to recompute it to the cent: the readings used
    (estimated or interpolated ones marked), the quantity, the tariff version and
    component, the band or block, the unit price and the days of a pro-rated
    charge. It becomes one invoice line (``move_line_id``).
    """

    _name = "meter.billing.line"
    _description = "Billing Line"
    _order = "result_id, partner_id, sequence, id"
    _check_company_auto = True

    result_id = fields.Many2one(
        "meter.billing.result", required=True, ondelete="cascade", index=True
    )
    run_id = fields.Many2one(related="result_id.run_id", store=True, index=True)
    billing_point_id = fields.Many2one(
        related="result_id.billing_point_id", store=True, index=True
    )
    site_id = fields.Many2one(related="result_id.site_id", store=True)
    company_id = fields.Many2one(related="result_id.company_id", store=True)
    currency_id = fields.Many2one(related="result_id.currency_id")
    partner_id = fields.Many2one("res.partner", required=True, index=True)
    occupancy_id = fields.Many2one("meter.occupancy", ondelete="set null")
    sequence = fields.Integer()
    invoice_group = fields.Char()
    name = fields.Char(string="Label", required=True)
    product_id = fields.Many2one("product.product", ondelete="restrict")
    component_id = fields.Many2one("meter.tariff.component", ondelete="set null")
    component_type = fields.Selection(
        COMPONENT_TYPES + [("common", "Common area"), ("advance", "Advance")],
        string="Type",
    )
    tariff_version_id = fields.Many2one("meter.tariff.version", ondelete="set null")
    date_from = fields.Date()
    date_to = fields.Date()
    days = fields.Integer(help="Days billed (pro-rated charges).")
    period_days = fields.Integer(help="Days of the basis the price is given for.")
    band = fields.Char(string="Band / block")
    quantity = fields.Float(digits=QUANTITY_DIGITS)
    quantity_shown = fields.Char(
        string="Quantity (shown)",
        compute="_compute_quantity_shown",
        help="The quantity as calculation sheets show it: at the decimals of the "
        "billing point's meters for consumption, else at two places.",
    )
    price_unit = fields.Float(digits=PRICE_DIGITS)
    amount = fields.Monetary(currency_field="currency_id")
    amount_exact = fields.Float(
        string="Exact amount",
        digits=(16, 10),
        readonly=True,
        help="The amount before its one rounding to the currency (meterkit).",
    )
    readings_note = fields.Text(
        string="Readings used", help="Readings behind the quantity; estimates marked."
    )
    is_estimated = fields.Boolean(string="Estimated")
    move_id = fields.Many2one(
        "account.move", string="Invoice", readonly=True, index=True, copy=False
    )
    move_line_id = fields.Many2one(
        "account.move.line", string="Invoice line", readonly=True, copy=False
    )

    def _compute_quantity_shown(self):
        for line in self:
            if line.component_type in (*CONSUMPTION_KINDS, "common"):
                resources = line.billing_point_id.meter_ids.resource_id
                decimals = max(resources.mapped("decimals") or [3])
            else:
                decimals = 2  # days, square metres, kW
            line.quantity_shown = shown_quantity(as_decimal(line.quantity), decimals)

    def _amount_total(self):
        """The sum of the lines' amounts, each read back as the exact Decimal
        stored at its currency's places (no float sum decides a total)."""
        return sum(
            (as_decimal(line.amount, line.currency_id.decimal_places) for line in self),
            Decimal(0),
        )

    def _quantity_total(self):
        """The sum of the lines' quantities as an exact Decimal."""
        return sum(
            (as_decimal(q, QUANTITY_DIGITS[1]) for q in self.mapped("quantity")),
            Decimal(0),
        )

    def _invoice_label(self):
        """The invoice line's text: label, band or block, period and days."""
        self.ensure_one()
        label = self.name
        if self.band:
            label = f"{label} ({self.band})"
        if self.date_from and self.date_to:
            label = self.env._(
                "%(label)s, %(start)s - %(end)s",
                label=label,
                start=self.date_from.strftime("%d.%m.%Y"),
                end=self.date_to.strftime("%d.%m.%Y"),
            )
        if self.component_type == "common" and self.days:
            label = self.env._("%(label)s (%(days)s days)", label=label, days=self.days)
        elif self.component_type in PERIOD_TYPES and self.days != self.period_days:
            label = self.env._(
                "%(label)s (%(days)s/%(period)s days)",
                label=label,
                days=self.days,
                period=self.period_days,
            )
        return label

    def _prepare_invoice_line_vals(self, sequence):
        """Values of this line's invoice line: it bills exactly ``amount``.

        The invoice keeps quantities to the ``Product Unit`` precision: the
        quantity shown is rounded to it and, when its product with the price
        would bill another amount, the price is derived from the amount
        (meterkit :func:`~meterkit.allocation.invoice_line`, in Decimal)."""
        self.ensure_one()
        currency = self.currency_id
        quantum = as_decimal(currency.rounding)
        digits = self.env["decimal.precision"].precision_get("Product Unit")
        quantity, price = invoice_line(
            as_decimal(self.quantity, QUANTITY_DIGITS[1]),
            as_decimal(self.price_unit, PRICE_DIGITS[1]),
            round_money(
                as_decimal(self.amount, self.currency_id.decimal_places), quantum
            ),
            Decimal(1).scaleb(-digits),
            quantum,
        )
        vals = {
            "sequence": sequence,
            "product_id": self.product_id.id,
            "name": self._invoice_label(),
            "quantity": float(quantity),
            "price_unit": float(price),
        }
        distribution = self.billing_point_id._analytic_distribution()
        if distribution:
            vals["analytic_distribution"] = distribution
        return vals
