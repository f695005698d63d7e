# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from odoo.fields import Command
from odoo.tests import tagged

from .common import MeterBillingCommon


def _area_unit(case, name, tenant, area):
    """A unit of house A occupied by ``tenant``, of ``area`` m2 since 2025."""
    unit = case._unit(name, case.building_a, tenant)
    case.env["meter.unit.basis"].create(
        {"unit_id": unit.id, "kind": "area", "value": area, "date_from": "2025-01-01"}
    )
    return unit


@tagged("post_install", "-at_install")
class TestMeterBillingMoney(MeterBillingCommon):
    """Invoices bill exactly the billing lines (issue 12, points 1 and 6).

    House C (site B): units C1, C2, C3 on the tiered tariff, 100 kWh each in
    January, and a common meter of 100.01 kWh. Unit D1 (80 m2, transformer
    2500 kVA) on a tariff of every period kind plus energy, billed on 5-6
    January (2 of 31 days), its meter counting half a kWh per unit
    (multiplier 0.5)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env.company.meter_common_product_id = cls.product_fixed
        cls.building_c = env["meter.building"].create(
            {"name": "House C", "site_id": cls.site_b.id}
        )
        cls.points_c = env["meter.billing.point"]
        for name in ("C1", "C2", "C3"):
            tenant = env["res.partner"].create({"name": f"Tenant {name}"})
            unit = cls._unit(name, cls.building_c, tenant)
            meter = cls._meter(f"EL-{name}", unit)
            cls._reading(meter, "2026-01-01 00:00:00", 0)
            cls._reading(meter, "2026-02-01 00:00:00", 100)
            cls.points_c |= cls._point(unit, meter, cls.tiered)
        common = env["meter.meter"].create(
            {
                "name": "EL-C-COMMON",
                "kind": "common",
                "building_id": cls.building_c.id,
                "resource_id": cls.electricity.id,
            }
        )
        cls._reading(common, "2026-01-01 00:00:00", 10)
        cls._reading(common, "2026-02-01 00:00:00", 110.01)
        # D1: every kind
        cls.tenant_d = env["res.partner"].create({"name": "Tenant D1"})
        unit_d = cls._unit("D1", cls.building_b, cls.tenant_d)
        env["meter.unit.basis"].create(
            {
                "unit_id": unit_d.id,
                "kind": "area",
                "value": 80.0,
                "date_from": "2025-01-01",
            }
        )
        cls.meter_d = cls._meter("EL-D1", unit_d)
        cls.meter_d.multiplier = 0.5
        cls._reading(cls.meter_d, "2026-01-05 00:00:00", 0)
        cls._reading(cls.meter_d, "2026-01-07 00:00:00", 0.25)
        start = datetime(2026, 1, 5)
        env["meter.interval"]._bulk_load(
            [
                (cls.meter_d.id, "T1", start + timedelta(minutes=15 * k), "0.25")
                for k in range(192)
            ]
        )
        kinds = (
            (10, "Energy", "energy", 10.0, {}),
            (20, "Fee", "fixed", 10.0, {}),
            (30, "Area", "area", 0.5, {}),
            (40, "Capacity", "demand_capacity", 0.07, {}),
            (50, "Demand", "demand_peak", 40.0, {"contract_demand": 800.0}),
        )
        tariff = env["meter.tariff"].create(
            {
                "name": "Every kind",
                "version_ids": [
                    Command.create(
                        {
                            "date_from": "2025-01-01",
                            "component_ids": [
                                Command.create(
                                    {
                                        "sequence": seq,
                                        "name": name,
                                        "product_id": cls.product_energy.id,
                                        "component_type": kind,
                                        "price": price,
                                        **extra,
                                    }
                                )
                                for seq, name, kind, price, extra in kinds
                            ],
                        }
                    )
                ],
            }
        )
        cls.point_d = cls._point(unit_d, cls.meter_d, tariff)
        cls.point_d.capacity_kva = 2500.0

    def _assert_invoiced_as_billed(self, run):
        for line in run.line_ids:
            self.assertTrue(line.move_line_id, line.name)
            self.assertEqual(
                self.currency.compare_amounts(
                    line.move_line_id.price_subtotal, line.amount
                ),
                0,
                f"{line.name}: invoiced {line.move_line_id.price_subtotal}, "
                f"billed {line.amount}",
            )
        self.assertEqual(
            self.currency.compare_amounts(
                sum(run.move_ids.mapped("amount_untaxed")),
                sum(run.line_ids.mapped("amount")),
            ),
            0,
        )

    def test_common_three_way_split_invoices_the_pool(self):
        """Common meter 110.01 - 10 = 100.01 kWh x 3.00 = 300.03, split
        equally: 100.01 each (quantities 33.337, 33.337, 33.336 kWh, shown
        with 2 decimals as 33.34: 33.34 x 3.00 would bill 100.02 each,
        300.06 for a pool of 300.03). Each unit also owes 100 kWh x 0.4883 =
        48.83 and the 10.00 fee: 158.84 per invoice, 476.52 in all."""
        run = self._run(points=self.points_c, common_method="equal", common_price=3.0)
        self._bill(run)
        common = run.line_ids.filtered(lambda line: line.component_type == "common")
        self.assertEqual(common.mapped("amount"), [100.01] * 3)
        self.assertAlmostEqual(
            sum(common.move_line_id.mapped("price_subtotal")), 300.03, places=2
        )
        self.assertEqual(sorted(run.move_ids.mapped("amount_untaxed")), [158.84] * 3)
        # the common-area lines show their days
        self.assertEqual(common.mapped("days"), [31] * 3)
        self.assertIn("(31 days)", common[0].move_line_id.name)
        self.assertIn("100.01 in total", common[0].readings_note)
        self._assert_invoiced_as_billed(run)

    def test_every_kind_invoices_its_billed_amount(self):
        """5-6 January, 2/31 days, on D1:
        energy (0.25 - 0) x 0.5 = 0.125 kWh x 10.00 = 1.25 (shown as 0.13 kWh,
        which would bill 1.30); fee 10.00 x 2/31 = 0.645.. -> 0.65; area 80 x
        0.50 x 2/31 = 2.580.. -> 2.58; capacity 2500 x 0.07 x 2/31 =
        11.290.. -> 11.29; demand: contract 800 < 40 % x 2500 = 1000 kW, so
        1000 x 40.00 x 2/31 = 2580.645.. -> 2580.65. Total 2596.42."""
        run = self._run(
            points=self.point_d, date_from="2026-01-05", date_to="2026-01-06"
        )
        self._bill(run)
        self.assertEqual(
            run.line_ids.mapped("amount"), [1.25, 0.65, 2.58, 11.29, 2580.65]
        )
        self.assertAlmostEqual(run.move_ids.amount_untaxed, 2596.42, places=2)
        self._assert_invoiced_as_billed(run)
        fee = run.line_ids.filtered(lambda line: line.component_type == "fixed")
        # the exact amount is kept beside the rounded one: 10 x 2 / 31
        self.assertAlmostEqual(fee.amount_exact, 0.6451612903, places=10)

    def test_contract_demand_floor(self):
        """RULES.md 4.3: contract 800 kW declared, transformer 2500 kVA: 40 %
        is 1000 kW, billed 1000 x 40.00 x 2/31 = 2580.65 (not 800 x 40.00 x
        2/31 = 2064.52, not refused); the line says so."""
        run = self._run(
            points=self.point_d, date_from="2026-01-05", date_to="2026-01-06"
        )
        self._bill(run, post=False)
        demand = run.line_ids.filtered(
            lambda line: line.component_type == "demand_peak"
        )
        self.assertEqual(run.result_ids.state, "invoiced")
        self.assertEqual((demand.quantity, demand.amount), (1000.0, 2580.65))
        self.assertIn("800", demand.name)
        self.assertIn("2500", demand.name)
        self.assertIn("billed as 1000 kW", demand.name)


@tagged("post_install", "-at_install")
class TestMeterBillingCorrection(MeterBillingCommon):
    def test_rebill_on_estimates_waits_for_review(self):
        """A1's closing reading (1300 on 1 February) is an estimate: January
        is billed once released, 300 kWh: 240 x 0.4883 = 117.19, 60 x 0.5383
        = 32.30 and the 10.00 fee, 159.49. Credited and rebilled, the
        correction run stops at computed with the result blocked (not left for
        a later run that never comes); released and invoiced it bills 159.49
        again, and the period is billed."""
        closing = self.meter_a1.reading_ids.filtered(
            lambda r: str(r.read_at) == "2026-02-01 00:00:00"
        )
        closing.state = "estimated"
        run = self._run(points=self.point_a1)
        with self._cron_budget(None):
            for step in ("action_compute", "action_invoice", "action_post"):
                getattr(run, step)()
                run._process()
                run.result_ids.filtered(lambda r: r.state == "blocked").action_release()
        self.assertAlmostEqual(run.move_ids.amount_untaxed, 159.49, places=2)
        action = run.result_ids.action_credit_and_rebill()
        rebill = self.env["meter.billing.run"].browse(action["domain"][0][2])
        self.assertEqual(rebill.state, "computed")
        self.assertEqual(rebill.result_ids.state, "blocked")
        self.assertIn("Estimated", rebill.result_ids.block_reason)
        self.assertEqual(rebill.blocked_count, 1)
        with self._cron_budget(None):
            rebill.result_ids.action_release()
            rebill.action_invoice()
            rebill._process()
        self.assertEqual(rebill.result_ids.state, "invoiced")
        self.assertAlmostEqual(rebill.move_ids.amount_untaxed, 159.49, places=2)
        self.point_a1.invalidate_recordset(["billed_until"])
        self.assertEqual(str(self.point_a1.billed_until), "2026-01-31")

    def test_meter_replaced_mid_period(self):
        """RULES.md 5.4, per register. Unit R (50 m2) on the time-of-use tariff
        (peak T1 0.30, valley T2 0.15, 0.50 per m2 and month). Old meter on 1
        January: T1 100, T2 50; replaced on 16 January 00:00, closing T1 250,
        T2 120; new meter opening T1 5, T2 0 (factory tests), on 1 February
        T1 155, T2 80. Peak (250 - 100) + (155 - 5) = 300 kWh x 0.30 =
        90.00; valley (120 - 50) + (80 - 0) = 150 kWh x 0.15 = 22.50; area 50
        x 0.50 x 31/31 = 25.00. Total 137.50."""
        tenant = self.env["res.partner"].create({"name": "Tenant R"})
        unit = _area_unit(self, "R", tenant, 50.0)
        old = self._meter("EL-R-OLD", unit, registers=2)
        for register, value in (("T1", 100), ("T2", 50)):
            self._reading(old, "2026-01-01 00:00:00", value, register=register)
        point = self._point(unit, old, self.tou)
        wizard = self.env["meter.replace"].create(
            {
                "meter_id": old.id,
                "replaced_at": "2026-01-16 00:00:00",
                "new_name": "EL-R-NEW",
            }
        )
        for line in wizard.line_ids:
            line.write(
                {"T1": {"closing_value": 250, "opening_value": 5}}.get(
                    line.register, {"closing_value": 120, "opening_value": 0}
                )
            )
        wizard.action_replace()
        new = old.successor_id
        self.assertEqual(point.meter_ids, old | new)
        for register, value in (("T1", 155), ("T2", 80)):
            self._reading(new, "2026-02-01 00:00:00", value, register=register)
        run = self._bill(self._run(points=point), post=False)
        self.assertEqual(run.result_ids.state, "invoiced")
        self.assertEqual(
            [(line.quantity, line.amount) for line in run.line_ids],
            [(300.0, 90.0), (150.0, 22.5), (50.0, 25.0)],
        )
        self.assertAlmostEqual(run.move_ids.amount_untaxed, 137.5, places=2)


@tagged("post_install", "-at_install")
class TestMeterBillingLabels(MeterBillingCommon):
    def test_readings_note_local_time_and_meter_decimals(self):
        """Site A in Europe/Zurich (UTC+1 in winter); A1 read 900 on 15
        December 00:00 UTC, 1000 on 1 January and 1300 on 1 February 00:00
        UTC (01:00 local). January is 31 Dec 23:00 - 31 Jan 23:00 UTC.
        Start: 900 + 100 x 407 h / 408 h = 999.7549.. -> shown 999.75 at
        2026-01-01 00:00; end: 1000 + 300 x 743 h / 744 h = 1299.5967.. ->
        1299.60 at 2026-02-01 00:00 (electricity: 2 decimals). Consumption
        299.8418.. kWh: 240 x 0.4883 = 117.19, 59.8418.. x 0.5383 =
        32.2128.. -> 32.21, fee 10.00."""
        self.site_a.tz = "Europe/Zurich"
        self._reading(self.meter_a1, "2025-12-15 00:00:00", 900)
        run = self._bill(self._run(points=self.point_a1), post=False)
        self.assertEqual(run.line_ids.mapped("amount"), [117.19, 32.21, 10.0])
        note = run.line_ids[0].readings_note
        self.assertIn(
            "999.75 interpolated on 2026-01-01 00:00 between 900.00 "
            "(2025-12-15 01:00) and 1000.00 (2026-01-01 01:00)",
            note,
        )
        self.assertIn("1299.60 interpolated on 2026-02-01 00:00", note)
        self.assertNotRegex(note, r"\d\.\d{3}")
        self.assertNotIn("UTC", note)

    def test_no_zero_amount_band_line(self):
        """Unit Z (40 m2) on the time-of-use tariff: peak T1 100 -> 400 = 300
        kWh x 0.30 = 90.00, valley T2 50 -> 50 = 0 kWh (no line), area 40 x
        0.50 x 31/31 = 20.00. Total 110.00."""
        unit = _area_unit(self, "Z", self.tenant3, 40.0)
        meter = self._meter("EL-Z", unit, registers=2)
        for register, start, end in (("T1", 100, 400), ("T2", 50, 50)):
            self._reading(meter, "2026-01-01 00:00:00", start, register=register)
            self._reading(meter, "2026-02-01 00:00:00", end, register=register)
        run = self._bill(self._run(points=self._point(unit, meter, self.tou)))
        self.assertEqual(
            [(line.name, line.amount) for line in run.line_ids],
            [("Peak energy", 90.0), ("Common charges", 20.0)],
        )
        self.assertAlmostEqual(run.move_ids.amount_untaxed, 110.0, places=2)
