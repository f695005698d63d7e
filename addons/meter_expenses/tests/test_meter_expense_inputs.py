# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import MeterExpensesCommon


@tagged("post_install", "-at_install")
class TestMeterExpenseInputs(MeterExpensesCommon):
    """§9a substitute values, fuel by stock and the §9 heating/hot-water
    split, entered through the period form as a user does (RULES §1.5, §1.7,
    §1.8), and used by the allocation."""

    def _allocate(self):
        self.period.action_collect_costs()
        self.period.action_allocate()
        return self._statements()

    def _lines(self, statement, section):
        return {
            line.pool_type: line
            for line in statement.line_ids
            if line.section_id == section
        }

    def _html(self, statement):
        report = self.env["ir.actions.report"]
        return report._render_qweb_html(
            "meter_expenses.action_report_expense_statement", statement.ids
        )[0].decode()

    def _add_sections(self, *values):
        """New sections typed in the period form; returns them."""
        before = self.period.section_ids
        with Form(self.period) as form:
            for vals in values:
                with form.section_ids.new() as section:
                    for name, value in vals.items():
                        setattr(section, name, value)
        return self.period.section_ids - before

    def _combined_plant(self):
        """Room heating and hot-water sections by area with the costs of a
        combined plant: gas 1000.00 (joint), heat cost allocators 60.00
        (heating's own), hot-water meters 40.00 (hot water's own)."""
        heating, hot_water = self._add_sections(
            {"kind": "heating", "name": "Heating", "base_key": "area"},
            {"kind": "hot_water", "name": "Hot water", "base_key": "area"},
        )
        self._add_costs(
            (heating, "Gas", "fuel", 1000.0),
            (heating, "Heat cost allocators", "metering", 60.0),
            (hot_water, "Hot-water meters", "metering", 40.0),
        )
        return heating, hot_water

    def _measured_plant(self):
        """A combined plant (:meth:`_combined_plant`) split by meters: the
        hot-water heat meter EL-A2 (500 kWh in January 2026) and the plant heat
        meter PLANT-HEAT (10000 on 1 January, 12500 on 1 February 2026); a
        second plant meter PLANT-BROKEN has no closing reading. Returns
        ``(heating, hot water, plant, broken)``."""
        heating, hot_water = self._combined_plant()
        heat = self.env.ref("meter_base.resource_heat")
        plant, broken = self.env["meter.meter"].create(
            [
                {
                    "name": name,
                    "kind": "main",
                    "building_id": self.unit_a1.building_id.id,
                    "resource_id": heat.id,
                    "commissioning_date": "2025-01-01",
                }
                for name in ("PLANT-HEAT", "PLANT-BROKEN")
            ]
        )
        self._reading(plant, "2026-01-01 00:00:00", 10000)
        self._reading(plant, "2026-02-01 00:00:00", 12500)
        self._reading(broken, "2026-01-01 00:00:00", 500)
        with Form(self.period) as form:
            with form.section_ids.edit(2) as section:
                self.assertEqual(section.name, "Heating")
                section.hot_water_section_id = hot_water
                section.split_method = "meter"
                section.split_meter_id = self.meter_a2
                section.split_total_energy = 20000.0
                section.split_total_meter_id = plant
        return heating, hot_water, plant, broken

    def _add_costs(self, *values):
        with Form(self.period) as form:
            for section, name, cost_type, amount in values:
                with form.cost_ids.new() as cost:
                    cost.section_id = section
                    cost.name = name
                    cost.cost_type = cost_type
                    cost.amount = amount

    def test_substitute_own_history_keeps_consumption(self):
        """A2's meter failed: its consumption is the same rooms' 480 kWh of an
        earlier period of 160 degree-days, scaled to this period's 170:
        480 x 170 / 160 = 510 kWh (§9a(1)). A2 has 20 m² of 80 + 20: 20 % of
        the area, not more than 25 %: the consumption share is kept (§9a(2)).

        Electricity 1000.00: consumption 700 by A1 300, A2 510 (810): cents
        25925.93, 44074.07 -> floors 25925 + 44074, the missing cent to A1
        (remainder .93): 259.26, 440.74; base 300 by area 80/20: 240.00, 60.00.
        Ancillary 120 by area: 96.00, 24.00. A1 595.26, A2 524.74 (1120.00).
        A1's exact consumption share 700 x 300 / 810 = 259.259259.
        """
        self.env["meter.unit.basis"].create(
            {
                "unit_id": self.unit_a2.id,
                "kind": "area",
                "value": 20.0,
                "date_from": "2026-01-01",
            }
        )
        with Form(self.period) as form:
            with form.section_ids.edit(0) as section:
                with section.substitute_ids.new() as substitute:
                    substitute.unit_id = self.unit_a2
                    substitute.method = "own_history"
                    substitute.reason = "Meter display failed"
                    substitute.previous_quantity = 480.0
                    substitute.previous_degree_days = 160.0
                    substitute.degree_days = 170.0
                    self.assertAlmostEqual(substitute.quantity, 510.0, places=3)
        section = self.electricity_section
        self.assertAlmostEqual(section.substitute_ids.quantity, 510.0, places=3)
        self.assertAlmostEqual(section.substitute_share, 20.0, places=2)
        self.assertIn("at most 25", section.substitute_note)
        statements = self._allocate()
        s1, s2 = statements[self.tenant1], statements[self.tenant2]
        self.assertAlmostEqual(s1.amount_share, 595.26, places=2)
        self.assertAlmostEqual(s2.amount_share, 524.74, places=2)
        consumption = self._lines(s1, section)["consumption"]
        self.assertAlmostEqual(consumption.amount, 259.26, places=2)
        self.assertAlmostEqual(consumption.amount_exact, 259.259259, places=6)
        self.assertAlmostEqual(
            self._lines(s2, section)["consumption"].amount_exact, 440.740741, places=6
        )

    def test_substitutes_over_25_percent_go_by_area(self):
        """A2 (40 m²) gets the building average of the recorded units: A1
        300 kWh / 80 m² x 40 m² = 150 kWh; comparable unit A1 gives the same
        150. A2 holds 40 / 120 = 33.33 % of the area, more than 25 %: the whole
        electricity cost goes by area (§9a(2)).

        Electricity 1000.00 by area 80/40: cents 66666.67, 33333.33 -> the
        missing cent to A1: 666.67, 333.33. Ancillary 80.00, 40.00.
        A1 746.67, A2 373.33 (1120.00); no consumption line.
        """
        with Form(self.period) as form:
            with form.section_ids.edit(0) as section:
                with section.substitute_ids.new() as substitute:
                    substitute.unit_id = self.unit_a2
                    substitute.method = "building_average"
        section = self.electricity_section
        substitute = section.substitute_ids
        self.assertAlmostEqual(substitute.quantity, 150.0, places=3)
        substitute.write(
            {"method": "comparable", "comparable_unit_ids": self.unit_a1.ids}
        )
        self.assertAlmostEqual(substitute.quantity, 150.0, places=3)
        self.assertAlmostEqual(section.substitute_share, 33.33, places=2)
        self.assertIn("more than 25", section.substitute_note)
        statements = self._allocate()
        s1, s2 = statements[self.tenant1], statements[self.tenant2]
        self.assertAlmostEqual(s1.amount_share, 746.67, places=2)
        self.assertAlmostEqual(s2.amount_share, 373.33, places=2)
        self.assertEqual(set(self._lines(s1, section)), {"base"})
        html = self._html(s2)
        self.assertIn("substitute value", html)

    def test_fuel_by_stock(self):
        """Heating oil costed on consumption (RULES §1.5): opening stock
        2000 l worth 1800.00, 3000 l bought for 3000.00 (the section's fuel
        cost), closing stock 1000 l: 2000 + 3000 - 1000 = 4000 l consumed;
        the closing stock at the average price (1800 + 3000) x 1000 / 5000 =
        960.00, so the fuel cost is 4800.00 - 960.00 = 3840.00. With the
        boiler maintenance of 160.00 the heating section allocates 4000.00.

        By area 80/40: cents 266666.67, 133333.33 -> the missing cent to A1:
        2666.67, 1333.33.
        """
        heating = self._add_sections(
            {
                "kind": "heating",
                "name": "Heating",
                "base_key": "area",
                "fuel_stock": True,
                "fuel_opening_stock": 2000.0,
                "fuel_opening_value": 1800.0,
                "fuel_bought": 3000.0,
                "fuel_closing_stock": 1000.0,
            }
        )
        self._add_costs(
            (heating, "Heating oil", "fuel", 3000.0),
            (heating, "Boiler maintenance", "operation", 160.0),
        )
        self.assertAlmostEqual(heating.fuel_quantity, 4000.0, places=3)
        self.assertAlmostEqual(heating.fuel_cost, 3840.0, places=2)
        self.assertAlmostEqual(heating.allocated_cost, 4000.0, places=2)
        statements = self._allocate()
        s1, s2 = statements[self.tenant1], statements[self.tenant2]
        self.assertAlmostEqual(self._lines(s1, heating)["base"].amount, 2666.67, 2)
        self.assertAlmostEqual(self._lines(s2, heating)["base"].amount, 1333.33, 2)
        html = self._html(s1)
        self.assertIn("closing stock 1000.0", html)
        self.assertIn("4000.0 l consumed", html)

    def test_heating_hot_water_split_by_formula_and_meter(self):
        """A combined plant: gas 1000.00 (joint, fuel), heat cost allocator
        rental 60.00 (heating's own), hot-water meter rental 40.00 (hot
        water's own). §9(2) formula: Q = 2.5 x 40 m³ x (60 - 10) = 5000 kWh
        of 20000 kWh: hot water gets 1000 x 5000 / 20000 = 250.00 of the joint
        cost; heating 750.00 + 60.00 = 810.00, hot water 250.00 + 40.00 =
        290.00 (RULES §1.7).

        Heating by area 80/40: 540.00, 270.00. Hot water by area: cents
        19333.33, 9666.67 -> the missing cent to A2 (remainder .67): 193.33,
        96.67. With a dedicated heat meter instead (EL-A2's 500 kWh of
        2000 kWh: 25 %) the hot-water part is 250.00 + 40.00 = 290.00 again.
        """
        heating, hot_water = self._combined_plant()
        with Form(self.period) as form:
            with form.section_ids.edit(2) as section:
                self.assertEqual(section.name, "Heating")
                section.hot_water_section_id = hot_water
                section.split_method = "formula"
                section.split_total_energy = 20000.0
                section.split_hw_volume = 40.0
                section.split_hw_temperature = 60.0
        self.assertAlmostEqual(heating.split_hw_energy, 5000.0, places=3)
        self.assertAlmostEqual(heating.allocated_cost, 810.0, places=2)
        self.assertAlmostEqual(hot_water.allocated_cost, 290.0, places=2)
        self.assertIn("2.5 x 40.0 m³ x (60.0 °C - 10)", hot_water.cost_note)
        statements = self._allocate()
        s1, s2 = statements[self.tenant1], statements[self.tenant2]
        self.assertAlmostEqual(self._lines(s1, heating)["base"].amount, 540.0, 2)
        self.assertAlmostEqual(self._lines(s2, heating)["base"].amount, 270.0, 2)
        self.assertAlmostEqual(self._lines(s1, hot_water)["base"].amount, 193.33, 2)
        self.assertAlmostEqual(self._lines(s2, hot_water)["base"].amount, 96.67, 2)
        html = self._html(s1)
        self.assertIn("5000.0 kWh", html)
        heating.write(
            {
                "split_method": "meter",
                "split_meter_id": self.meter_a2.id,
                "split_total_energy": 2000.0,
            }
        )
        self.assertAlmostEqual(heating.split_hw_energy, 500.0, places=3)
        self.assertAlmostEqual(heating.split_hot_water_cost, 290.0, places=2)

    def test_substitute_own_history_from_readings_and_degree_days(self):
        """A2's meter failed in January 2026. Its readings of October 2025
        (1000 on 1 October, 1240 on 1 November) give the same rooms' earlier
        consumption: 240 kWh. The site has no measured degree-days, so both
        periods take the VDI 2067 per-mille (RULES §1.9, variant A): January
        170, October 80. Substitute: 240 x 170 / 80 = 510 kWh (§9a(1)).

        By default the earlier period is the same days a year before (1-31
        January 2025: 170 ‰); A2's meter has no reading then, so the earlier
        consumption stays 0 until the earlier period is set to October.
        With A2 at 20 m² (20 % of the area, at most 25 %) the allocation is
        that of the own-history test above: electricity 1000.00, consumption
        700 by A1 300, A2 510 (810): 259.26, 440.74; base 300 by area 80/20:
        240.00, 60.00; ancillary 96.00, 24.00: A1 595.26, A2 524.74.
        """
        self.env["meter.unit.basis"].create(
            {
                "unit_id": self.unit_a2.id,
                "kind": "area",
                "value": 20.0,
                "date_from": "2026-01-01",
            }
        )
        self._reading(self.meter_a2, "2025-10-01 00:00:00", 1000)
        self._reading(self.meter_a2, "2025-11-01 00:00:00", 1240)
        with Form(self.period) as form:
            with form.section_ids.edit(0) as section:
                with section.substitute_ids.new() as substitute:
                    substitute.unit_id = self.unit_a2
                    substitute.method = "own_history"
                    self.assertEqual(str(substitute.previous_date_start), "2025-01-01")
                    self.assertEqual(str(substitute.previous_date_end), "2025-01-31")
                    self.assertAlmostEqual(substitute.degree_days, 170.0, places=3)
                    self.assertAlmostEqual(
                        substitute.previous_degree_days, 170.0, places=3
                    )
                    self.assertAlmostEqual(substitute.previous_quantity, 0.0, 3)
                    substitute.previous_date_start = "2025-10-01"
                    substitute.previous_date_end = "2025-10-31"
                    self.assertAlmostEqual(
                        substitute.previous_degree_days, 80.0, places=3
                    )
                    self.assertAlmostEqual(substitute.previous_quantity, 240.0, 3)
                    self.assertAlmostEqual(substitute.quantity, 510.0, places=3)
        substitute = self.electricity_section.substitute_ids
        self.assertRecordValues(
            substitute,
            [
                {
                    "previous_quantity": 240.0,
                    "previous_degree_days": 80.0,
                    "degree_days": 170.0,
                    "quantity": 510.0,
                }
            ],
        )
        statements = self._allocate()
        s1, s2 = statements[self.tenant1], statements[self.tenant2]
        self.assertAlmostEqual(s1.amount_share, 595.26, places=2)
        self.assertAlmostEqual(s2.amount_share, 524.74, places=2)

    def test_substitute_degree_days_follow_the_variant(self):
        """Variant C gives June 14 ‰ (RULES §1.9): an earlier period of June
        2025 has 14 degree-days, January 2026 keeps 170. Variant B: June
        40/3 = 13.333 ‰."""
        self.period.degree_day_variant = "C"
        substitute = self.env["meter.expense.substitute"].create(
            {
                "section_id": self.electricity_section.id,
                "unit_id": self.unit_a2.id,
                "method": "own_history",
                "previous_date_start": "2025-06-01",
                "previous_date_end": "2025-06-30",
            }
        )
        self.assertAlmostEqual(substitute.previous_degree_days, 14.0, places=3)
        self.assertAlmostEqual(substitute.degree_days, 170.0, places=3)
        self.period.degree_day_variant = "B"
        self.assertAlmostEqual(substitute.previous_degree_days, 13.333, places=3)

    def test_split_total_energy_from_the_plant_heat_meter(self):
        """A combined plant whose total heat is measured: the plant heat
        meter reads 10000 on 1 January and 12500 on 1 February 2026, 2500 kWh;
        the hot-water heat meter (EL-A2) 500 kWh. Gas 1000.00 (joint): hot
        water 1000 x 500 / 2500 = 200.00; heating 800.00 + its allocators
        60.00 = 860.00, hot water 200.00 + its meters 40.00 = 240.00 (§9,
        RULES §1.7). The figure typed in the total energy (20000) is not used.

        Heating by area 80/40: cents 57333.33, 28666.67 -> the missing cent
        to A2 (remainder .67): 573.33, 286.67. Hot water 240.00 by area:
        160.00, 80.00. A plant meter without its closing reading refuses the
        allocation naming the meter.
        """
        heating, hot_water, _plant, broken = self._measured_plant()
        self.assertAlmostEqual(heating.split_hot_water_cost, 240.0, places=2)
        self.assertAlmostEqual(heating.allocated_cost, 860.0, places=2)
        self.assertAlmostEqual(hot_water.allocated_cost, 240.0, places=2)
        self.assertIn("of 2500.0 kWh (measured by", hot_water.cost_note)
        self.assertIn("PLANT-HEAT", hot_water.cost_note)
        statements = self._allocate()
        s1, s2 = statements[self.tenant1], statements[self.tenant2]
        self.assertAlmostEqual(self._lines(s1, heating)["base"].amount, 573.33, 2)
        self.assertAlmostEqual(self._lines(s2, heating)["base"].amount, 286.67, 2)
        self.assertAlmostEqual(self._lines(s1, hot_water)["base"].amount, 160.0, 2)
        self.assertAlmostEqual(self._lines(s2, hot_water)["base"].amount, 80.0, 2)
        self.period.action_reopen()
        heating.split_total_meter_id = broken
        with self.assertRaisesRegex(UserError, "PLANT-BROKEN"):
            self.period.action_allocate()

    def test_split_reads_its_meters_once(self):
        """The §9 figures of the heating and hot-water sections (hot-water
        energy, hot-water part, costs allocated, notes) read the hot-water
        and plant heat meters in one call of meter.consumption, and the
        allocation reads them once more, with the values of
        test_split_total_energy_from_the_plant_heat_meter: hot water 500 kWh
        of 2500 kWh; gas 1000.00 x 500 / 2500 = 200.00; heating 800.00 +
        60.00 = 860.00, hot water 200.00 + 40.00 = 240.00; A1 573.33 and A2
        286.67 of the heating, 160.00 and 80.00 of the hot water."""
        heating, hot_water, plant, _broken = self._measured_plant()
        consumption = type(self.env["meter.consumption"])
        self.env.invalidate_all()
        with patch.object(
            consumption, "_usage", autospec=True, side_effect=consumption._usage
        ) as usage:
            figures = [
                (s.split_hw_energy, s.split_hot_water_cost, s.allocated_cost)
                for s in heating | hot_water
            ]
            notes = (heating | hot_water).mapped("cost_note")
        reads = [c for c in usage.call_args_list if plant in c.args[1]]
        self.assertEqual(len(reads), 1)
        self.assertIn(self.meter_a2, reads[0].args[1])
        self.assertEqual(
            [tuple(round(value, 2) for value in row) for row in figures],
            [(500.0, 240.0, 860.0), (0.0, 0.0, 240.0)],
        )
        self.assertIn("hot water 500.0 kWh", notes[1])
        with patch.object(
            consumption, "_usage", autospec=True, side_effect=consumption._usage
        ) as usage:
            statements = self._allocate()
        reads = [c for c in usage.call_args_list if plant in c.args[1]]
        self.assertEqual(len(reads), 1)
        s1, s2 = statements[self.tenant1], statements[self.tenant2]
        self.assertAlmostEqual(self._lines(s1, heating)["base"].amount, 573.33, 2)
        self.assertAlmostEqual(self._lines(s2, heating)["base"].amount, 286.67, 2)
        self.assertAlmostEqual(self._lines(s1, hot_water)["base"].amount, 160.0, 2)
        self.assertAlmostEqual(self._lines(s2, hot_water)["base"].amount, 80.0, 2)
