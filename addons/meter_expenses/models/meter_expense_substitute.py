# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta
from meterkit.errors import MeterkitError
from meterkit.expenses import (
    degree_days_between,
    substitute_building_average,
    substitute_own_history,
)

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .meter_expense_period import _dec

METHODS = [
    ("own_history", "Same rooms, earlier period"),
    ("comparable", "Comparable units, same period"),
    ("building_average", "Building average per m²"),
]


class MeterExpenseSubstitute(models.Model):
    """A §9a substitute consumption of a unit in a section (HeizkostenV §9a,
    RULES §1.8): it replaces the recorded value; when the substituted units
    hold more than 25 % of the area (or volume), the whole section goes by
    its base key."""

    _name = "meter.expense.substitute"
    _description = "Expense Statement Substitute Value"
    _order = "section_id, unit_id"

    section_id = fields.Many2one(
        "meter.expense.section", required=True, index=True, ondelete="cascade"
    )
    period_id = fields.Many2one(related="section_id.period_id", store=True, index=True)
    site_id = fields.Many2one(related="section_id.site_id", store=True, index=True)
    company_id = fields.Many2one(related="section_id.company_id", store=True)
    unit_id = fields.Many2one(
        "meter.unit",
        required=True,
        domain="[('site_id', '=', site_id), ('unit_type', '!=', 'common')]",
    )
    reason = fields.Char(help="Why the consumption could not be recorded.")
    method = fields.Selection(METHODS, required=True, default="building_average")
    previous_date_start = fields.Date(
        string="Earlier period from",
        compute="_compute_previous_dates",
        store=True,
        readonly=False,
        precompute=True,
        help="First day of the comparable earlier period (default: the same "
        "days a year earlier).",
    )
    previous_date_end = fields.Date(
        string="Earlier period to",
        compute="_compute_previous_dates",
        store=True,
        readonly=False,
        precompute=True,
    )
    previous_quantity = fields.Float(
        string="Earlier consumption",
        digits=(16, 3),
        compute="_compute_previous_quantity",
        store=True,
        readonly=False,
        help="The unit's consumption in the comparable earlier period: read "
        "from the section's meters of the unit (x rating factor) when their "
        "readings cover it, else as entered.",
    )
    previous_degree_days = fields.Float(
        string="Earlier degree-days",
        digits=(16, 3),
        compute="_compute_degree_days",
        store=True,
        readonly=False,
        precompute=True,
        help="Degree-days of the earlier period: the VDI 2067 per-mille of "
        "its days (RULES §1.9, the period's variant) unless entered.",
    )
    degree_days = fields.Float(
        string="Degree-days",
        digits=(16, 3),
        compute="_compute_degree_days",
        store=True,
        readonly=False,
        precompute=True,
        help="Degree-days of this period, on the same scale: the VDI 2067 "
        "per-mille of its days unless entered.",
    )
    comparable_unit_ids = fields.Many2many(
        "meter.unit",
        string="Comparable units",
        domain="[('site_id', '=', site_id), ('id', '!=', unit_id)]",
        help="Units recorded in this period whose consumption per m² is applied "
        "to the unit's area.",
    )
    quantity = fields.Float(
        string="Substitute value",
        digits=(16, 3),
        compute="_compute_quantity",
        help="The consumption used in place of the recorded one (0 while the "
        "inputs are incomplete).",
    )

    _unit_uniq = models.UniqueIndex(
        "(section_id, unit_id)", "A unit has one substitute value per section."
    )

    @api.depends("section_id.period_id.date_start", "section_id.period_id.date_end")
    def _compute_previous_dates(self):
        for substitute in self:
            period = substitute.section_id.period_id
            year = relativedelta(years=1)
            substitute.previous_date_start = (
                period.date_start and period.date_start - year
            )
            substitute.previous_date_end = period.date_end and period.date_end - year

    @api.depends(
        "previous_date_start",
        "previous_date_end",
        "section_id.period_id.date_start",
        "section_id.period_id.date_end",
        "section_id.period_id.degree_day_variant",
    )
    def _compute_degree_days(self):
        for substitute in self:
            period = substitute.section_id.period_id
            variant = period.degree_day_variant or "A"
            for name, start, end in (
                ("degree_days", period.date_start, period.date_end),
                (
                    "previous_degree_days",
                    substitute.previous_date_start,
                    substitute.previous_date_end,
                ),
            ):
                substitute[name] = (
                    float(degree_days_between(start, end, variant))
                    if start and end and start <= end
                    else 0.0
                )

    @api.depends(
        "method",
        "unit_id",
        "previous_date_start",
        "previous_date_end",
        "section_id.meter_ids",
    )
    def _compute_previous_quantity(self):
        """The earlier consumption from the unit's meters of the section, all
        read in one batch through meter.consumption; a substitute whose
        meters cannot be valued over its earlier period keeps its figure."""
        todo = self.filtered(
            lambda s: (
                s.method == "own_history"
                and s.unit_id
                and s.previous_date_start
                and s.previous_date_end
                and s.previous_date_start <= s.previous_date_end
            )
        )
        spans = {}
        meters_of = {}
        for substitute in todo:
            period = substitute.section_id.period_id
            meters = substitute.section_id.meter_ids._origin.filtered(
                lambda m, u=substitute.unit_id._origin: m.unit_id == u
            )
            bounds = period._day_bounds(
                substitute.previous_date_start, substitute.previous_date_end
            )
            meters_of[substitute] = (meters, bounds)
            for meter in meters:
                spans.setdefault(meter.id, []).append(bounds)
        if not spans:
            return
        Meter = self.env["meter.meter"]
        usages = self.env["meter.consumption"]._usage(Meter.browse(spans), spans)
        for substitute, (meters, bounds) in meters_of.items():
            found = [usages[(meter.id, *bounds)] for meter in meters]
            if not found or any(u.errors or not u.by_register for u in found):
                continue
            substitute.previous_quantity = float(
                sum(
                    (
                        usage.consumption * _dec(meter.expense_rating_factor)
                        for meter, usage in zip(meters, found, strict=True)
                    ),
                    _dec(0),
                )
            )

    @api.depends(
        "method",
        "previous_quantity",
        "previous_degree_days",
        "degree_days",
        "comparable_unit_ids",
        "unit_id",
    )
    def _compute_quantity(self):
        measured_by_section = {}
        for substitute in self:
            section = substitute.section_id
            if substitute.method != "own_history" and not substitute.unit_id:
                substitute.quantity = 0.0
                continue
            try:
                if substitute.method != "own_history" and section.id:
                    if section.id not in measured_by_section:
                        measured_by_section[section.id] = section._measured_by_unit()
                    measured = measured_by_section[section.id]
                else:
                    measured = {}
                substitute.quantity = float(substitute._value(measured))
            except (UserError, MeterkitError):
                substitute.quantity = 0.0

    @api.constrains("unit_id", "section_id")
    def _check_unit(self):
        for substitute in self:
            if substitute.unit_id.site_id != substitute.site_id:
                raise ValidationError(
                    self.env._(
                        "Substitute value of unit %(unit)s: the unit is not on "
                        "site %(site)s of section %(section)s.",
                        unit=substitute.unit_id.display_name,
                        site=substitute.site_id.display_name,
                        section=substitute.section_id.name,
                    )
                )

    def _value(self, measured):
        """The substitute consumption (Decimal, unrounded).

        :param measured: ``{unit id: recorded consumption}`` of the section's
            units recorded in the period (x rating factor).
        """
        self.ensure_one()
        if self.method == "own_history":
            return substitute_own_history(
                _dec(self.previous_quantity),
                _dec(self.previous_degree_days),
                _dec(self.degree_days),
            )
        units = (
            self.comparable_unit_ids
            if self.method == "comparable"
            else self.env["meter.unit"].browse(list(measured))
        ) - self.section_id.substitute_ids.unit_id
        missing = units.filtered(lambda u: u.id not in measured)
        if missing:
            raise UserError(
                self.env._(
                    "Substitute value of unit %(unit)s: comparable unit %(other)s "
                    "has no recorded consumption in section %(section)s.",
                    unit=self.unit_id.display_name,
                    other=missing[0].display_name,
                    section=self.section_id.name,
                )
            )
        date = self.period_id.date_start
        return substitute_building_average(
            [(measured[u.id], _dec(u._get_basis("area", date))) for u in units],
            _dec(self.unit_id._get_basis("area", date)),
        )
