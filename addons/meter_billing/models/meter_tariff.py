# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MeterTariff(models.Model):
    """A tariff: a name and its dated versions.

    The version in force on a day is the one with the latest ``date_from`` not
    after that day; a change inside a billing period splits the lines at the
    change date (``meterkit.tariffs.split_period``).
    """

    _name = "meter.tariff"
    _description = "Metering Tariff"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    site_id = fields.Many2one(
        "meter.site",
        check_company=True,
        index="btree_not_null",
        help="Site this tariff belongs to: its billing officers may change it. "
        "Empty: shared by several sites, changed by managers only.",
    )
    resource_id = fields.Many2one(
        "meter.resource", help="Resource billed by this tariff (informative)."
    )
    state = fields.Selection(
        [("draft", "Draft"), ("active", "In use")],
        default="active",
        required=True,
        tracking=True,
        help="A draft tariff is never used by a billing run; it can be simulated "
        "on a closed period (what-if).",
    )
    period_basis = fields.Selection(
        [("month", "Per month"), ("year", "Per year")],
        required=True,
        default="month",
        help="Fixed, area and demand prices are per month (pro-rated by the days of "
        "each month) or per year (pro-rated by the days of the year).",
    )
    version_ids = fields.One2many("meter.tariff.version", "tariff_id", copy=True)
    note = fields.Html(translate=True)

    def _versions_for(self, date_from, date_to):
        """Versions of this tariff that apply to some day of
        ``[date_from, date_to]`` (the one in force at ``date_from`` included),
        sorted by start date."""
        self.ensure_one()
        versions = self.version_ids.sorted("date_from")
        before = versions.filtered(lambda v: v.date_from <= date_from)[-1:]
        inside = versions.filtered(lambda v: date_from < v.date_from <= date_to)
        return before | inside
