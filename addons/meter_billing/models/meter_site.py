# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MeterSite(models.Model):
    _inherit = "meter.site"

    meter_analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Analytic account",
        check_company=True,
        help="Billing lines of the site's units are distributed to it.",
    )
