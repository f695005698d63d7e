# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class MeterBillingPointTariff(models.Model):
    """The tariff of a billing point from a date (to a date, inclusive)."""

    _name = "meter.billing.point.tariff"
    _description = "Billing Point Tariff Assignment"
    _order = "billing_point_id, date_from, id"
    _check_company_auto = True

    billing_point_id = fields.Many2one(
        "meter.billing.point", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="billing_point_id.company_id", store=True)
    tariff_id = fields.Many2one(
        "meter.tariff",
        required=True,
        ondelete="restrict",
        check_company=True,
        domain="[('state', '=', 'active')]",
    )
    date_from = fields.Date(required=True)
    date_to = fields.Date(help="Inclusive; empty while in force.")

    _dates_ordered = models.Constraint(
        "CHECK (date_to IS NULL OR date_to >= date_from)",
        "A tariff assignment cannot end before it starts.",
    )

    @api.constrains("date_from", "date_to", "billing_point_id")
    def _check_no_overlap(self):
        for line in self:
            others = line.billing_point_id.tariff_line_ids - line
            for other in others:
                if line.date_from <= (
                    other.date_to or fields.Date.to_date("9999-12-31")
                ) and other.date_from <= (
                    line.date_to or fields.Date.to_date("9999-12-31")
                ):
                    raise ValidationError(
                        self.env._(
                            "Billing point %(point)s has two tariffs on the same "
                            "day (%(a)s and %(b)s).",
                            point=line.billing_point_id.display_name,
                            a=line.tariff_id.display_name,
                            b=other.tariff_id.display_name,
                        )
                    )
