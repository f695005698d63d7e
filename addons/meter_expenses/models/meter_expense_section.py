# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

from meterkit.expenses import Consumption, Section

from odoo import api, fields, models
from odoo.exceptions import UserError

SECTION_KINDS = [
    ("heating", "Room heating"),
    ("hot_water", "Hot-water production"),
    ("water", "Water supply and treatment"),
    ("ancillary", "Ancillary costs"),
    ("electricity", "Individual electricity"),
    ("renovation", "Renovation fund"),
]
BASE_KEYS = [
    ("area", "Area"),
    ("heated_area", "Heated area"),
    ("volume", "Volume"),
    ("thousandths", "Thousandths"),
    ("persons", "Person-days"),
    ("units", "Units"),
    ("equal", "Equal per occupancy"),
]


def _dec(value):
    return Decimal(repr(value or 0.0))


class MeterExpenseSection(models.Model):
    """A section of the statements (room heating, hot water, ...): its key,
    the consumption share, the meters it reads, and its costs."""

    _name = "meter.expense.section"
    _description = "Expense Statement Section"
    _order = "period_id, sequence, id"

    period_id = fields.Many2one(
        "meter.expense.period", required=True, index=True, ondelete="cascade"
    )
    site_id = fields.Many2one(related="period_id.site_id", store=True, index=True)
    company_id = fields.Many2one(related="period_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    sequence = fields.Integer(default=10)
    kind = fields.Selection(SECTION_KINDS, required=True, default="ancillary")
    name = fields.Char(required=True, translate=True)
    base_key = fields.Selection(BASE_KEYS, required=True, default="area")
    consumption_share = fields.Float(
        string="Consumption share (%)",
        digits=(5, 2),
        help="Part of the costs split by metered consumption: 50-70 % in "
        "Germany (HeizkostenV §7, §8), 70 % in the Swiss VEWA practice, 0 for a "
        "base key only. Without meters the section falls back to its base key.",
    )
    time_basis = fields.Selection(
        [("days", "Days"), ("degree_days", "Degree-day per-mille (§9b)")],
        default="days",
        required=True,
        help="How the base part of a unit is split between its occupants.",
    )
    meter_ids = fields.Many2many(
        "meter.meter",
        string="Unit meters",
        domain="[('unit_id.site_id', '=', site_id)]",
        help="Individual meters (or heat cost allocators) of the units read "
        "through meter.consumption.",
    )
    main_meter_id = fields.Many2one(
        "meter.meter",
        string="Main meter",
        help="When set, main minus the units is its own residual line.",
    )
    residual_to = fields.Selection(
        [("base", "Split by the base key"), ("owner", "Borne by the owner")],
        default="base",
        required=True,
    )
    cut_percent = fields.Float(
        string="§12 cut (%)",
        help="HeizkostenV §12: share each tenant may cut (15 % when not billed "
        "by consumption contrary to the regulation, 3 % missing remote reading).",
    )
    co2_cost = fields.Monetary(string="CO2 cost", help="CO2KostAufG: included cost.")
    co2_kg = fields.Float(string="CO2 emissions (kg)")
    co2_area = fields.Float(string="Living area for CO2 (m²)")
    co2_residential = fields.Boolean(string="Residential (step model)", default=True)
    account_ids = fields.Many2many(
        "account.account",
        string="Expense accounts",
        help="Posted vendor bill items on these accounts are collected as "
        "costs of this section.",
    )
    cost_ids = fields.One2many("meter.expense.cost", "section_id")
    cost_total = fields.Monetary(compute="_compute_cost_total")
    fallback_note = fields.Char(compute="_compute_fallback_note")

    @api.depends("cost_ids.amount")
    def _compute_cost_total(self):
        for section in self:
            section.cost_total = sum(section.cost_ids.mapped("amount"))

    @api.depends("meter_ids", "consumption_share")
    def _compute_fallback_note(self):
        for section in self:
            section.fallback_note = (
                self.env._("No meters: split by the base key only.")
                if section.consumption_share and not section.meter_ids
                else False
            )

    def _code_key(self):
        """The section's code in meterkit inputs (unique within the period)."""
        return f"{self.kind}-{self.id}"

    def _prepare_section(self, codes, occupancies):
        """The meterkit :class:`Section` of this section."""
        self.ensure_one()
        share = Decimal(0)
        consumptions = ()
        main = None
        if self.consumption_share and self.meter_ids:
            share = _dec(self.consumption_share) / 100
            consumptions = self._consumptions(codes, occupancies)
            if self.main_meter_id:
                main = self._usage_total(self.main_meter_id)
        return Section(
            self._code_key(),
            self.name,
            _dec(self.cost_total),
            base_key=self.base_key,
            consumption_share=share,
            time_basis=self.time_basis,
            consumptions=consumptions,
            main_quantity=main,
            residual_to=self.residual_to,
            cut_percent=_dec(self.cut_percent),
            co2_cost=_dec(self.co2_cost),
            co2_kg=_dec(self.co2_kg),
            co2_area=_dec(self.co2_area),
            co2_residential=self.co2_residential,
        )

    def _usage_total(self, meter):
        period = self.period_id
        bounds = period._day_bounds(period.date_start, period.date_end)
        usage = self.env["meter.consumption"]._usage(meter, [bounds])[
            (meter.id, *bounds)
        ]
        if usage.errors or not usage.by_register:
            raise UserError(
                self.env._(
                    "Section %(section)s: meter %(meter)s has no consumption for "
                    "the period (missing start or closing reading).",
                    section=self.name,
                    meter=meter.display_name,
                )
            )
        return usage.consumption

    def _consumptions(self, codes, occupancies):
        """Consumption of each unit meter through meter.consumption: one per
        occupancy (interim reading) when the unit changed occupant and every
        segment can be valued, else the unit's whole period (§9b(3))."""
        period = self.period_id
        meters = self.meter_ids.filtered(lambda m: m.unit_id in codes)
        whole = period._day_bounds(period.date_start, period.date_end)
        segments = {}
        for meter in meters:
            unit_occ = occupancies.filtered(lambda o, m=meter: o.unit_id == m.unit_id)
            spans = [whole]
            if len(unit_occ) > 1:
                spans += [
                    period._day_bounds(
                        max(o.date_start, period.date_start),
                        min(o.date_end or period.date_end, period.date_end),
                    )
                    for o in unit_occ
                ]
            segments[meter.id] = (unit_occ, spans)
        usages = self.env["meter.consumption"]._usage(
            meters, {mid: spans for mid, (_o, spans) in segments.items()}
        )
        result = []
        for meter in meters:
            unit_occ, spans = segments[meter.id]
            found = [usages[(meter.id, *span)] for span in spans]
            if found[0].errors or not found[0].by_register:
                raise UserError(
                    self.env._(
                        "Section %(section)s: meter %(meter)s of unit %(unit)s has "
                        "no consumption for the period (missing closing reading?).",
                        section=self.name,
                        meter=meter.display_name,
                        unit=meter.unit_id.display_name,
                    )
                )
            factor = _dec(meter.expense_rating_factor)
            interim = found[1:]
            code = codes[meter.unit_id]
            if interim and all(u.by_register and not u.errors for u in interim):
                result += [
                    Consumption(code, usage.consumption, str(occ.id), factor)
                    for occ, usage in zip(unit_occ, interim, strict=True)
                ]
            else:
                result.append(Consumption(code, found[0].consumption, "", factor))
        return tuple(result)
