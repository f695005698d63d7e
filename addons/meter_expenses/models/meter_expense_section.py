# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

from meterkit import as_decimal as _dec
from meterkit.errors import MeterkitError
from meterkit.expenses import (
    Consumption,
    Section,
    fuel_consumed,
    hot_water_heat,
    split_heating_hot_water,
    substitute_base_share,
)

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .meter_expense_cost import COST_TYPES

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
#: cost types that arise jointly for heating and hot water (§9(1)); the others
#: arise separately and stay with their own section
JOINT_COST_TYPES = ("fuel", "operation")
UNIT_BASE_KEYS = ("area", "heated_area", "volume", "thousandths")


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
    # fuel by stock (oil, pellets: costed on consumption, RULES §1.5)
    fuel_stock = fields.Boolean(
        string="Fuel by stock",
        help="Oil or pellets: the fuel cost of the section is the opening stock "
        "plus the fuel bought minus the closing stock, the closing stock valued "
        "at the average price.",
    )
    fuel_uom = fields.Char(string="Fuel unit", default="l")
    fuel_opening_stock = fields.Float(string="Opening stock", digits=(16, 3))
    fuel_opening_value = fields.Monetary(string="Opening stock value")
    fuel_bought = fields.Float(
        string="Fuel bought",
        digits=(16, 3),
        help="Quantity bought in the period; its cost is the section's costs of "
        "type fuel.",
    )
    fuel_closing_stock = fields.Float(string="Closing stock", digits=(16, 3))
    fuel_bought_cost = fields.Monetary(
        compute="_compute_fuel", string="Fuel bought cost"
    )
    fuel_quantity = fields.Float(
        compute="_compute_fuel", string="Fuel consumed", digits=(16, 3)
    )
    fuel_cost = fields.Monetary(compute="_compute_fuel", string="Fuel consumed cost")
    # §9 split of a combined heating and hot-water plant (RULES §1.7)
    hot_water_section_id = fields.Many2one(
        "meter.expense.section",
        string="Hot-water section",
        domain="[('period_id', '=', period_id), ('kind', '=', 'hot_water')]",
        help="Combined plant: the joint costs of this heating section (fuel, "
        "operation) are split with this hot-water section (HeizkostenV §9).",
    )
    split_source_ids = fields.One2many("meter.expense.section", "hot_water_section_id")
    split_method = fields.Selection(
        [("meter", "Dedicated heat meter"), ("formula", "§9(2) formula")],
        default="meter",
        required=True,
    )
    split_meter_id = fields.Many2one(
        "meter.meter",
        string="Hot-water heat meter",
        help="Measures the heat of the hot-water production (kWh).",
    )
    split_total_meter_id = fields.Many2one(
        "meter.meter",
        string="Plant heat meter",
        help="Measures the heat (kWh) of the whole plant: the total energy of "
        "the split is its consumption over the period, read through "
        "meter.consumption.",
    )
    split_total_energy = fields.Float(
        string="Total energy (kWh)",
        help="Fuel or heat of the whole plant in the period, in kWh, when no "
        "plant heat meter measures it.",
    )
    split_hw_volume = fields.Float(
        string="Hot-water volume (m³)",
        help="§9(2): Q = 2.5 x V x (t - 10). Leave 0 when not measured: "
        "Q = 32 x the area supplied.",
    )
    split_hw_temperature = fields.Float(
        string="Hot-water temperature (°C)", default=60.0
    )
    split_hw_area = fields.Float(string="Area supplied with hot water (m²)")
    split_gross_calorific = fields.Boolean(
        string="Gross calorific value", help="x 1.11: gas billed in kWh Hs."
    )
    split_commercial = fields.Boolean(
        string="Commercial heat supply", help="/ 1.15: independent commercial supply."
    )
    split_heat_pump = fields.Boolean(
        string="Monovalent heat pump", help="x 0.30 (2023 amendment)."
    )
    split_hw_energy = fields.Float(
        compute="_compute_split", string="Hot-water energy (kWh)", digits=(16, 3)
    )
    split_hot_water_cost = fields.Monetary(
        compute="_compute_split", string="Hot-water part"
    )
    allocated_cost = fields.Monetary(
        compute="_compute_split",
        string="Cost allocated",
        help="The costs after the fuel stock and the heating/hot-water split.",
    )
    cost_note = fields.Text(
        compute="_compute_split",
        string="How the costs are established",
    )
    # §9a substitute values (RULES §1.8)
    substitute_ids = fields.One2many("meter.expense.substitute", "section_id")
    substitute_share = fields.Float(
        compute="_compute_substitute_share",
        string="Substituted share (%)",
        digits=(5, 2),
    )
    substitute_note = fields.Char(compute="_compute_substitute_share")

    @api.depends("cost_ids.amount")
    def _compute_cost_total(self):
        for section in self:
            section.cost_total = sum(section.cost_ids.mapped("amount"))

    @api.depends(
        "fuel_stock",
        "fuel_opening_stock",
        "fuel_opening_value",
        "fuel_bought",
        "fuel_closing_stock",
        "cost_ids.amount",
        "cost_ids.cost_type",
    )
    def _compute_fuel(self):
        for section in self:
            fuel = section.cost_ids.filtered(lambda c: c.cost_type == "fuel")
            section.fuel_bought_cost = sum(fuel.mapped("amount"))
            section.fuel_quantity = section.fuel_cost = 0.0
            if not section.fuel_stock:
                continue
            try:
                quantity, cost = section._fuel_consumed()
            except UserError:
                continue
            section.fuel_quantity = float(quantity)
            section.fuel_cost = float(cost)

    @api.depends(
        "fuel_cost",
        "cost_total",
        "hot_water_section_id.cost_total",
        "hot_water_section_id.fuel_cost",
        "split_source_ids.cost_total",
        "split_source_ids.fuel_cost",
        "split_method",
        "split_meter_id",
        "split_total_meter_id",
        "split_total_energy",
        "split_hw_volume",
        "split_hw_temperature",
        "split_hw_area",
        "split_gross_calorific",
        "split_commercial",
        "split_heat_pump",
        "split_source_ids.split_total_meter_id",
        "split_source_ids.split_total_energy",
        "split_source_ids.split_hw_volume",
        "split_source_ids.split_hw_area",
        "split_source_ids.split_meter_id",
        "split_source_ids.split_method",
    )
    def _compute_split(self):
        energies = (self | self.split_source_ids)._split_energies()
        for section in self:
            section.split_hw_energy = section.split_hot_water_cost = 0.0
            notes = []
            try:
                if section.hot_water_section_id:
                    energy = section._split_hw_energy(energies)
                    section.split_hw_energy = float(energy)
                    section.split_hot_water_cost = float(section._split(energies)[1])
                allocated = section._allocated_cost(energies)
                notes = section._cost_notes(energies)
            except UserError as error:
                allocated = section.cost_total
                notes = [str(error)]
            section.allocated_cost = float(allocated)
            section.cost_note = "\n".join(notes) or False

    @api.depends("substitute_ids.unit_id", "base_key", "consumption_share")
    def _compute_substitute_share(self):
        for section in self:
            section.substitute_share = 0.0
            section.substitute_note = False
            if not section.substitute_ids or not section.period_id.date_start:
                continue
            share = section._substitute_share()
            section.substitute_share = float(share * 100)
            key = dict(BASE_KEYS)[section._substitute_key()]
            if share > Decimal("0.25") and section.consumption_share:
                section.substitute_note = self.env._(
                    "Substitute values cover %(share)s %% of the %(key)s (more than "
                    "25 %%): the whole cost goes by the %(key)s (§9a(2)).",
                    share=round(share * 100, 2),
                    key=key.lower(),
                )
            else:
                section.substitute_note = self.env._(
                    "Substitute values cover %(share)s %% of the %(key)s (at most "
                    "25 %%): the consumption share is kept.",
                    share=round(share * 100, 2),
                    key=key.lower(),
                )

    @api.depends("meter_ids", "consumption_share")
    def _compute_fallback_note(self):
        for section in self:
            section.fallback_note = (
                self.env._("No meters: split by the base key only.")
                if section.consumption_share and not section.meter_ids
                else False
            )

    @api.constrains("hot_water_section_id", "kind")
    def _check_hot_water_section(self):
        for section in self.filtered("hot_water_section_id"):
            target = section.hot_water_section_id
            if (
                section.kind != "heating"
                or target.kind != "hot_water"
                or target.period_id != section.period_id
            ):
                raise ValidationError(
                    self.env._(
                        "Section %(section)s: the heating/hot-water split goes from "
                        "a room heating section to a hot-water section of the same "
                        "period (%(target)s is not).",
                        section=section.name,
                        target=target.name,
                    )
                )

    # ------------------------------------------------------------
    # COSTS: fuel stock and the §9 split
    # ------------------------------------------------------------

    def _meterkit_call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except MeterkitError as error:
            raise UserError(
                self.env._(
                    "Section %(section)s: %(error)s",
                    section=self.name,
                    error=str(error),
                )
            ) from None

    def _fuel_consumed(self):
        """``(quantity, cost)`` of the fuel consumed (meterkit, unrounded)."""
        fuel = self.cost_ids.filtered(lambda c: c.cost_type == "fuel")
        return self._meterkit_call(
            fuel_consumed,
            _dec(self.fuel_bought),
            _dec(self.fuel_opening_stock),
            _dec(self.fuel_closing_stock),
            sum((_dec(c.amount) for c in fuel), Decimal(0)),
            _dec(self.fuel_opening_value),
        )

    def _own_cost(self, cost_types=None):
        """The section's own costs (of ``cost_types`` only when given); fuel by
        stock replaces the fuel bills by the fuel consumed."""
        costs = self.cost_ids
        if cost_types is not None:
            costs = costs.filtered(lambda c: c.cost_type in cost_types)
        if self.fuel_stock:
            total = sum(
                (_dec(c.amount) for c in costs if c.cost_type != "fuel"), Decimal(0)
            )
            if cost_types is None or "fuel" in cost_types:
                total += self._fuel_consumed()[1]
            return total
        return sum((_dec(c.amount) for c in costs), Decimal(0))

    def _split_energies(self):
        """``{heating section id: {"energy": Q, "total": kWh}}`` of the §9
        split of the heating sections in ``self`` (those with a hot-water
        section): the hot-water heat Q in kWh (dedicated meter or §9(2)
        formula) and the plant's total energy (plant heat meter, else the
        figure entered). The meters of all these sections are read in one
        batch through meter.consumption. A figure that cannot be established
        is the UserError saying why, raised by :meth:`_split_figure` where
        the figure is used."""
        heating = self.filtered("hot_water_section_id")
        spans, wanted = {}, {}
        for section in heating:
            period = section.period_id
            bounds = period._day_bounds(period.date_start, period.date_end)
            for meter in section._split_meters():
                wanted[(section.id, meter.id)] = bounds
                spans.setdefault(meter.id, set()).add(bounds)
        usages = {}
        if spans:
            usages = self.env["meter.consumption"]._usage(
                self.env["meter.meter"].browse(list(spans)),
                {meter_id: sorted(bounds) for meter_id, bounds in spans.items()},
            )

        def measured(section, meter):
            bounds = wanted[(section.id, meter.id)]
            try:
                return section._checked_usage(meter, usages.get((meter.id, *bounds)))
            except UserError as error:
                return error

        energies = {}
        for section in heating:
            if section.split_method == "formula":
                try:
                    energy = section._split_formula_energy()
                except UserError as error:
                    energy = error
            elif section.split_meter_id:
                energy = measured(section, section.split_meter_id)
            else:
                energy = UserError(
                    self.env._(
                        "Section %s: choose the hot-water heat meter of the split.",
                        section.name,
                    )
                )
            if section.split_total_meter_id:
                total = measured(section, section.split_total_meter_id)
            else:
                total = _dec(section.split_total_energy)
            energies[section.id] = {"energy": energy, "total": total}
        return energies

    def _split_meters(self):
        """The meters the §9 split of this heating section reads."""
        self.ensure_one()
        meters = self.split_total_meter_id
        if self.split_method == "meter":
            meters |= self.split_meter_id
        return meters

    def _split_figure(self, energies, key):
        """The ``key`` figure (``energy`` or ``total``) of this heating
        section's split from :meth:`_split_energies` (read for this section
        alone when ``energies`` is None); raises the UserError saying why it
        cannot be established."""
        self.ensure_one()
        if energies is None or self.id not in energies:
            energies = self._split_energies()
        value = energies[self.id][key]
        if isinstance(value, UserError):
            raise UserError(value.args[0])
        return value

    def _split_formula_energy(self):
        """§9(2) hot-water heat Q in kWh by the formula (no dedicated meter)."""
        return self._meterkit_call(
            hot_water_heat,
            volume=_dec(self.split_hw_volume) if self.split_hw_volume else None,
            temperature=_dec(self.split_hw_temperature),
            area=_dec(self.split_hw_area) if self.split_hw_area else None,
            gross_calorific=self.split_gross_calorific,
            commercial=self.split_commercial,
            heat_pump=self.split_heat_pump,
        )

    def _split_hw_energy(self, energies=None):
        """§9(2) hot-water heat Q in kWh: the dedicated meter or the formula."""
        return self._split_figure(energies, "energy")

    def _split_total(self, energies=None):
        """The plant's total energy in kWh: the plant heat meter's consumption
        over the period, else the figure entered."""
        return self._split_figure(energies, "total")

    def _split(self, energies=None):
        """``(heating, hot water)`` of a heating section split with its
        hot-water section (meterkit, to the cent): the joint costs (fuel,
        operation) by the hot-water energy share, the other costs to their own
        section. ``energies``: :meth:`_split_energies`, read once by the
        caller for all its sections."""
        self.ensure_one()
        other_types = [t for t, _l in COST_TYPES if t not in JOINT_COST_TYPES]
        return self._meterkit_call(
            split_heating_hot_water,
            self._own_cost(JOINT_COST_TYPES),
            self._split_total(energies),
            self._split_hw_energy(energies),
            heating_own=self._own_cost(other_types),
            hot_water_own=self.hot_water_section_id._own_cost(),
        )

    def _allocated_cost(self, energies=None):
        """The cost allocated by this section (Decimal; meterkit rounds it)."""
        self.ensure_one()
        if self.hot_water_section_id:
            return self._split(energies)[0]
        source = self.split_source_ids[:1]
        if source:
            return source._split(energies)[1]
        return self._own_cost()

    def _cost_notes(self, energies=None):
        """The inputs of the fuel stock and of the split, as the statement
        shows them."""
        self.ensure_one()
        notes = []
        if self.fuel_stock:
            quantity, cost = self._fuel_consumed()
            notes.append(
                self.env._(
                    "Fuel: opening stock %(opening)s + bought %(bought)s - closing "
                    "stock %(closing)s = %(quantity)s %(uom)s consumed; cost: opening "
                    "value %(opening_value)s + bought %(bought_cost)s - closing stock "
                    "at the average price = %(cost)s.",
                    opening=self.fuel_opening_stock,
                    bought=self.fuel_bought,
                    closing=self.fuel_closing_stock,
                    quantity=float(quantity),
                    uom=self.fuel_uom or "",
                    opening_value=self.fuel_opening_value,
                    bought_cost=self.fuel_bought_cost,
                    cost=float(round(cost, 2)),
                )
            )
        heating = self if self.hot_water_section_id else self.split_source_ids[:1]
        if heating:
            energy = heating._split_hw_energy(energies)
            if heating.split_method == "meter":
                how = self.env._("measured by %s", heating.split_meter_id.display_name)
            elif heating.split_hw_volume:
                how = self.env._(
                    "2.5 x %(volume)s m³ x (%(temp)s °C - 10)",
                    volume=heating.split_hw_volume,
                    temp=heating.split_hw_temperature,
                )
            else:
                how = self.env._("32 x %s m²", heating.split_hw_area)
            corrections = [
                label
                for flag, label in (
                    (heating.split_gross_calorific, "x 1.11"),
                    (heating.split_commercial, "/ 1.15"),
                    (heating.split_heat_pump, "x 0.30"),
                )
                if flag and heating.split_method == "formula"
            ]
            heat, hot_water = heating._split(energies)
            total = heating._split_total(energies)
            if heating.split_total_meter_id:
                total_how = self.env._(
                    " (measured by %s)", heating.split_total_meter_id.display_name
                )
            else:
                total_how = ""
            notes.append(
                self.env._(
                    "Heating/hot-water split (§9): hot water %(energy)s kWh "
                    "(%(how)s%(corrections)s) of %(total)s kWh%(total_how)s; "
                    "heating %(heating)s, hot water %(hot_water)s.",
                    energy=round(float(energy), 3),
                    how=how,
                    corrections=(" " + " ".join(corrections)) if corrections else "",
                    total=round(float(total), 3),
                    total_how=total_how,
                    heating=float(heat),
                    hot_water=float(hot_water),
                )
            )
        return notes

    # ------------------------------------------------------------
    # §9a SUBSTITUTES
    # ------------------------------------------------------------

    def _substitute_key(self):
        return self.base_key if self.base_key in UNIT_BASE_KEYS else "area"

    def _substitute_share(self):
        """§9a(2) share (Fraction) of the base held by the substituted units."""
        units = self.period_id._units()
        key, date = self._substitute_key(), self.period_id.date_start
        return substitute_base_share(
            {unit.id: _dec(unit._get_basis(key, date)) for unit in units},
            set(self.substitute_ids.unit_id.ids),
        )

    def _measured_by_unit(self):
        """``{unit id: consumption x rating factor}`` over the whole period of
        the section's unit meters, the substituted units left out."""
        self.ensure_one()
        period = self.period_id
        substituted = self.substitute_ids.unit_id
        meters = self.meter_ids.filtered(
            lambda m: m.unit_id and m.unit_id not in substituted
        )
        bounds = period._day_bounds(period.date_start, period.date_end)
        usages = self.env["meter.consumption"]._usage(meters, [bounds])
        measured = {}
        for meter in meters:
            usage = usages[(meter.id, *bounds)]
            if usage.errors or not usage.by_register:
                continue
            measured[meter.unit_id.id] = measured.get(
                meter.unit_id.id, Decimal(0)
            ) + usage.consumption * _dec(meter.expense_rating_factor)
        return measured

    def _code_key(self):
        """The section's code in meterkit inputs (unique within the period)."""
        return f"{self.kind}-{self.id}"

    def _prepare_section(self, codes, occupancies, energies=None):
        """The meterkit :class:`Section` of this section; ``energies``: the
        §9 split figures of the period's sections (:meth:`_split_energies`)."""
        self.ensure_one()
        share = Decimal(0)
        consumptions = ()
        main = None
        if self.consumption_share and (self.meter_ids or self.substitute_ids):
            share = _dec(self.consumption_share) / 100
            consumptions = self._consumptions(codes, occupancies)
            if self.main_meter_id:
                main = self._usage_total(self.main_meter_id)
        return Section(
            self._code_key(),
            self.name,
            self._allocated_cost(energies),
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
        usage = self.env["meter.consumption"]._usage(meter, [bounds])
        return self._checked_usage(meter, usage.get((meter.id, *bounds)))

    def _checked_usage(self, meter, usage):
        """The consumption of ``usage`` (``meter``'s over the period); a
        meter without it is refused, naming the meter."""
        if usage is None or usage.errors or not usage.by_register:
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
        substituted = self.substitute_ids.unit_id
        meters = self.meter_ids.filtered(
            lambda m: m.unit_id in codes and m.unit_id not in substituted
        )
        whole = period._day_bounds(period.date_start, period.date_end)
        occupancies_of = occupancies.grouped("unit_id")
        segments = {}
        for meter in meters:
            unit_occ = occupancies_of.get(meter.unit_id, occupancies.browse())
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
        measured = {}
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
            measured[meter.unit_id.id] = (
                measured.get(meter.unit_id.id, Decimal(0))
                + found[0].consumption * factor
            )
        for substitute in self.substitute_ids.filtered(lambda s: s.unit_id in codes):
            result.append(
                Consumption(
                    codes[substitute.unit_id],
                    substitute._value(measured),
                    "",
                    Decimal(1),
                    substitute=True,
                )
            )
        return tuple(result)
