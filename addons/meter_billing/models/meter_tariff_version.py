# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from meterkit.tariffs import TariffVersion

from odoo import api, fields, models


class MeterTariffVersion(models.Model):
    """Prices of a tariff valid from a date: an ordered list of components."""

    _name = "meter.tariff.version"
    _description = "Tariff Version"
    _order = "tariff_id, date_from desc, id desc"
    _check_company_auto = True

    tariff_id = fields.Many2one(
        "meter.tariff", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="tariff_id.company_id", store=True)
    currency_id = fields.Many2one(related="tariff_id.currency_id")
    date_from = fields.Date(string="Valid from", required=True)
    name = fields.Char(compute="_compute_name", store=True)
    tou_calendar_id = fields.Many2one(
        "meter.tou.calendar",
        string="Time-of-use calendar",
        check_company=True,
        help="Needed by time-of-use energy components and interval-based demand.",
    )
    component_ids = fields.One2many("meter.tariff.component", "version_id", copy=True)

    _tariff_date_uniq = models.Constraint(
        "UNIQUE (tariff_id, date_from)",
        "A tariff has at most one version starting on a given date.",
    )

    @api.depends("tariff_id.name", "date_from")
    def _compute_name(self):
        for version in self:
            version.name = f"{version.tariff_id.name or ''} ({version.date_from or ''})"

    def _to_meterkit(self, capacity=None, kinds=None, cache=None):
        """This version as a :class:`meterkit.tariffs.TariffVersion`, with the
        components of ``kinds`` only (all when None); ``capacity`` is the billing
        point's transformer capacity. ``cache`` (a dict) reuses the result."""
        self.ensure_one()
        key = (self.id, capacity, tuple(kinds or ()))
        if cache is not None and key in cache:
            return cache[key]
        components = self.component_ids.filtered(
            lambda c: kinds is None or c.component_type in kinds
        )
        result = TariffVersion(
            date_from=self.date_from,
            components=tuple(c._to_meterkit(capacity) for c in components),
            label=self.name or "",
        )
        if cache is not None:
            cache[key] = result
        return result
