# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import calendar
from decimal import Decimal

from meterkit import as_decimal
from meterkit.allocation import apportion_common, round_money
from meterkit.errors import MeterkitError
from meterkit.tariffs import CONSUMPTION_KINDS

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.billing_usage import UsageError, local_day_bounds


class MeterPrepaidApportion(models.TransientModel):
    """Monthly common-area apportionment deducted from prepaid balances
    (RULES.md 4.5): the month's consumption of a building's common meters of
    one resource, priced at a unit price, shared among the open prepaid
    accounts of the building equally, by area or by usage (what each account
    was deducted for that resource in the month); one move per account, month
    and resource. Each share carries the product's sale taxes through the
    occupant's fiscal position, as a deduction line does."""

    _name = "meter.prepaid.apportion"
    _description = "Prepaid Common-area Apportionment"

    building_id = fields.Many2one("meter.building", required=True)
    company_id = fields.Many2one(related="building_id.company_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    resource_id = fields.Many2one("meter.resource", required=True)
    month = fields.Date(
        required=True, help="Any day of the month apportioned (a closed month)."
    )
    method = fields.Selection(
        [("equal", "Equal shares"), ("area", "By area"), ("usage", "By usage")],
        required=True,
        default="area",
    )
    price = fields.Float(string="Unit price", digits=(16, 4), required=True)
    product_id = fields.Many2one(
        "product.product",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    date = fields.Date(
        string="Posting date", required=True, default=fields.Date.context_today
    )

    @api.depends("building_id")
    def _compute_product_id(self):
        for wizard in self:
            wizard.product_id = (
                wizard.product_id or wizard.company_id.meter_common_product_id
            )

    def action_confirm(self):
        self.ensure_one()
        try:
            vals_list = self._prepare_moves()
        except (UsageError, MeterkitError) as error:
            raise UserError(
                self.env._(
                    "%(building)s: common areas not apportioned: %(problem)s",
                    building=self.building_id.display_name,
                    problem=str(error),
                )
            ) from None
        self.env["meter.prepaid.move"]._create_posted(vals_list)
        return {"type": "ir.actions.act_window_close"}

    def _month_bounds(self):
        start = self.month.replace(day=1)
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        return start, end

    def _prepare_moves(self):
        start, end = self._month_bounds()
        meters = self.env["meter.meter"].search(
            [
                ("building_id", "=", self.building_id.id),
                ("kind", "=", "common"),
                ("resource_id", "=", self.resource_id.id),
            ]
        )
        if not meters:
            raise UserError(
                self.env._(
                    "The building has no common meter of this resource: set the "
                    "kind 'Common' on its common-area meter, or choose another "
                    "resource."
                )
            )
        bounds = local_day_bounds(start, end, self.building_id.site_id.tz)
        series = self.env["meter.billing.point"]._fetch_series(
            dict.fromkeys(meters, bounds)
        )
        quantity = self.env["meter.billing.run"]._meters_consumption(
            meters, series, bounds
        )
        accounts = self.env["meter.prepaid.account"].search(
            [("state", "=", "open"), ("unit_id.building_id", "=", self.building_id.id)],
            order="unit_id, id",
        )
        keys = {account: self._key(account, start, end) for account in accounts}
        quantum = as_decimal(self.currency_id.rounding)
        price = as_decimal(self.price)
        amounts = apportion_common(
            round_money(quantity * price, quantum), keys, self.method, quantum
        )
        shares = apportion_common(quantity, keys, self.method, Decimal("0.001"))
        label = dict(self._fields["method"]._description_selection(self.env))[
            self.method
        ]
        return [
            {
                "account_id": account.id,
                "move_type": "apportion",
                "date": self.date,
                "period_from": start,
                "period_to": end,
                "resource_id": self.resource_id.id,
                "line_ids": [
                    fields.Command.create(
                        {
                            "name": self.env._(
                                "Common areas %(month)s (%(key)s): %(mine)s of "
                                "%(all)s; common meters %(meters)s: %(total)s",
                                month=start.strftime("%Y-%m"),
                                key=label,
                                mine=keys[account],
                                all=sum(keys.values()),
                                meters=", ".join(meters.mapped("name")),
                                total=quantity,
                            ),
                            "product_id": self.product_id.id,
                            "quantity": float(shares[account]),
                            "amount": float(amounts[account]),
                            # taxed like a deduction line: the balance pays
                            # the share with its taxes
                            **account._line_tax_vals(
                                self.product_id.id, float(amounts[account])
                            ),
                        }
                    )
                ],
            }
            for account in accounts
            if amounts[account]
        ]

    def _key(self, account, start, end):
        if self.method == "equal":
            return Decimal(1)
        if self.method == "area":
            return as_decimal(account.unit_id._get_basis("area", start))
        lines = self.env["meter.prepaid.move.line"].search(
            [
                ("account_id", "=", account.id),
                ("move_type", "in", ("deduction", "backbill")),
                ("move_id.period_from", ">=", start),
                ("move_id.period_to", "<=", end),
                ("component_id.component_type", "in", CONSUMPTION_KINDS),
                ("billing_point_id.meter_ids.resource_id", "=", self.resource_id.id),
            ]
        )
        return sum((as_decimal(q) for q in lines.mapped("quantity")), Decimal(0))
