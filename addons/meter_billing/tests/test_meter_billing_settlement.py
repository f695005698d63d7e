# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
# the late readings of these cases come up to April: today is in June
@freeze_time("2026-06-10 12:00:00")
class TestMeterBillingSettlement(MeterBillingCommon):
    """Worked cases of RULES.md 3.2 (estimates settled by the late reading),
    3.4 (common-house needs), 4.2 (annual tiers) and 5.5 (degree-day
    boundaries). House B gets units Z (estimates), Y (annual tiers) and H
    (heat); a flat tariff at 0.25 per kWh."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env.company.meter_common_product_id = env["product.product"].create(
            {"name": "Common areas", "type": "service", "taxes_id": [Command.clear()]}
        )
        cls.flat = cls._flat_tariff("Flat", 0.25)
        cls.unit_z = cls._unit("Z", cls.building_b, cls.tenant3)
        cls.meter_z = cls._meter("EL-Z", cls.unit_z)
        cls.point_z = cls._point(cls.unit_z, cls.meter_z, cls.flat)

    def _computed(self, points, date_from, date_to, **vals):
        run = self._run(points=points, date_from=date_from, date_to=date_to, **vals)
        with self._cron_budget(None):
            run.action_compute()
            run._process()
        return run

    # ------------------------------------------------------------
    # 3. Estimates, then the late real reading (RU п. 61)
    # ------------------------------------------------------------

    def _bill_january_on_estimate(self, estimate):
        """January billed on the estimate at Feb 1 (real 1000 at Jan 1), released
        and invoiced; then the real reading of Feb 1 (1290) arrives and replaces
        the estimate, and the real reading of Mar 1 (1500)."""
        self._reading(self.meter_z, "2026-01-01 00:00:00", 1000)
        self._reading(
            self.meter_z,
            "2026-02-01 00:00:00",
            estimate,
            state="estimated",
            source="estimate",
        )
        january = self._computed(self.point_z, "2026-01-01", "2026-01-31")
        self.assertEqual(january.result_ids.state, "blocked")
        with self._cron_budget(None):
            january.result_ids.action_release()
            january.action_invoice()
            january._process()
        self.env["meter.reading"]._bulk_ingest(
            [(self.meter_z.id, "T1", "2026-02-01 00:00:00", 1290)]
        )
        self._reading(self.meter_z, "2026-03-01 00:00:00", 1500)
        return january

    def test_late_reading_settles_an_underestimate(self):
        """January on the estimate 1250: 250 kWh x 0.25 = 62.50. February:
        real 1500 - 1290 = 210 kWh, plus the recalculation of January 1290 -
        1250 = +40 kWh: 250 x 0.25 = 62.50. Together 125.00 = the real 500 kWh
        (1500 - 1000) x 0.25; the old code billed 210 x 0.25 = 52.50 and lost
        40 kWh."""
        january = self._bill_january_on_estimate(1250)
        self.assertAlmostEqual(january.move_ids.amount_untaxed, 62.50, places=2)
        february = self._computed(self.point_z, "2026-02-01", "2026-02-28")
        line = february.line_ids
        self.assertEqual(february.result_ids.state, "ok")
        self.assertAlmostEqual(line.quantity, 250.0, places=3)
        self.assertAlmostEqual(line.amount, 62.50, places=2)
        self.assertIn("recalculation 40", line.readings_note)
        self.assertAlmostEqual(
            january.move_ids.amount_untaxed + line.amount, 500 * 0.25, places=2
        )

    def test_late_reading_credits_an_overestimate(self):
        """January on the estimate 1350: 350 x 0.25 = 87.50. February: 210 kWh
        real, minus 1350 - 1290 = 60 kWh billed too much: 150 x 0.25 = 37.50;
        together 125.00 = 500 x 0.25."""
        january = self._bill_january_on_estimate(1350)
        self.assertAlmostEqual(january.move_ids.amount_untaxed, 87.50, places=2)
        february = self._computed(self.point_z, "2026-02-01", "2026-02-28")
        self.assertAlmostEqual(february.line_ids.quantity, 150.0, places=3)
        self.assertAlmostEqual(february.line_ids.amount, 37.50, places=2)

    # ------------------------------------------------------------
    # 4. Common-house needs from the main meter (RU ОДН)
    # ------------------------------------------------------------

    def _residual_run(self, main_end):
        """House A: A1 (80 m2, 300 kWh) and A2 (40 m2, 500 kWh) under a main
        meter that counts ``main_end`` kWh in January; 0.20 per kWh."""
        self.env["meter.unit.basis"].create(
            {
                "unit_id": self.unit_a2.id,
                "kind": "area",
                "value": 40.0,
                "date_from": "2025-01-01",
            }
        )
        main = self.env["meter.meter"].create(
            {
                "name": "EL-MAIN-A",
                "kind": "main",
                "building_id": self.building_a.id,
                "resource_id": self.electricity.id,
            }
        )
        (self.meter_a1 | self.meter_a2).parent_id = main
        self._reading(main, "2026-01-01 00:00:00", 0)
        self._reading(main, "2026-02-01 00:00:00", main_end)
        run = self._run(sites=self.site_a, residual_method="area", common_price=0.2)
        self._bill(run, post=False)
        lines = run.line_ids.filtered(lambda line: line.component_type == "common")
        return run, {line.billing_point_id: line for line in lines}

    def test_residual_billed_by_area(self):
        """Main 1000 - (300 + 500) = 200 kWh x 0.20 = 40.00 by area 80 : 40:
        A1 200 x 80/120 = 133.333 kWh, 40.00 x 2/3 = 26.666 -> 26.67; A2
        66.667 kWh, 13.333 -> 13.33 (largest remainder: 26.67 + 13.33 =
        40.00). Tenant One: tiered 240 x 0.4883 + 60 x 0.5383 + 10.00 =
        159.49, + 26.67 = 186.16."""
        run, lines = self._residual_run(1000)
        self.assertEqual(
            (lines[self.point_a1].amount, lines[self.point_a2].amount), (26.67, 13.33)
        )
        self.assertEqual(
            (lines[self.point_a1].quantity, lines[self.point_a2].quantity),
            (133.333, 66.667),
        )
        self.assertAlmostEqual(
            run.move_ids.filtered(
                lambda m: m.partner_id == self.tenant1
            ).amount_untaxed,
            186.16,
            places=2,
        )
        self.assertIn("residual 200", run.residual_note)

    def test_negative_residual_credited_by_area(self):
        """Main 700 - 800 = -100 kWh x 0.20 = -20.00 by area 80 : 40:
        A1 -13.333 -> -13.33, A2 -6.667 -> -6.67 (the missing cent goes to
        the larger remainder); quantities -66.667 and -33.333."""
        _run, lines = self._residual_run(700)
        self.assertEqual(
            (lines[self.point_a1].amount, lines[self.point_a2].amount),
            (-13.33, -6.67),
        )
        self.assertEqual(
            (lines[self.point_a1].quantity, lines[self.point_a2].quantity),
            (-66.667, -33.333),
        )

    # ------------------------------------------------------------
    # 5. Annual tiers (RULES.md 4.2, Zhejiang)
    # ------------------------------------------------------------

    def _zhejiang(self):
        """Zhejiang annual blocks (RULES.md 4.2): <= 2760 kWh a year at 0.538,
        2761-4800 at 0.588, above at 0.838."""
        return self.env["meter.tariff"].create(
            {
                "name": "Zhejiang",
                "version_ids": [
                    Command.create(
                        {
                            "date_from": "2025-01-01",
                            "component_ids": [
                                Command.create(
                                    {
                                        "name": "Electricity",
                                        "product_id": self.product_energy.id,
                                        "component_type": "tiered",
                                        "tier_period": "year",
                                        "tier_ids": [
                                            Command.create(
                                                {"up_to": 2760, "price": 0.538}
                                            ),
                                            Command.create(
                                                {"up_to": 4800, "price": 0.588}
                                            ),
                                            Command.create(
                                                {"up_to": 0, "price": 0.838}
                                            ),
                                        ],
                                    }
                                )
                            ],
                        }
                    )
                ],
            }
        )

    def test_annual_tiers_count_across_periods(self):
        """Zhejiang annual blocks: <= 2760 kWh a year at 0.538, 2761-4800 at
        0.588, above at 0.838. January 1500 kWh: 1500 x 0.538 = 807.00.
        February 1000 kWh (2500 in the year): 538.00. March 600 kWh straddles
        2760: 260 x 0.538 = 139.88 and 340 x 0.588 = 199.92 (339.80; the old
        code counted March alone: 600 x 0.538 = 322.80)."""
        self.point_z.tariff_line_ids.tariff_id = self._zhejiang()
        for at, value in (
            ("2026-01-01", 0),
            ("2026-02-01", 1500),
            ("2026-03-01", 2500),
            ("2026-04-01", 3100),
        ):
            self._reading(self.meter_z, f"{at} 00:00:00", value)
        amounts = []
        for date_from, date_to in (
            ("2026-01-01", "2026-01-31"),
            ("2026-02-01", "2026-02-28"),
            ("2026-03-01", "2026-03-31"),
        ):
            run = self._computed(self.point_z, date_from, date_to)
            amounts.append(sorted(run.line_ids.mapped("amount")))
        self.assertEqual(amounts, [[807.0], [538.0], [139.88, 199.92]])

    def test_annual_tiers_start_again_on_january_1(self):
        """A quarter December 2025 - February 2026 is cut on January 1.
        December 3000 kWh: 2760 x 0.538 = 1484.88 and 240 x 0.588 = 141.12;
        January-February 1000 kWh count from zero in 2026: 1000 x 0.538 =
        538.00 (not 0.588, as if the 3000 of 2025 counted)."""
        self.point_z.tariff_line_ids.tariff_id = self._zhejiang()
        for at, value in (
            ("2025-12-01", 0),
            ("2026-01-01", 3000),
            ("2026-03-01", 4000),
        ):
            self._reading(self.meter_z, f"{at} 00:00:00", value)
        run = self._computed(self.point_z, "2025-12-01", "2026-02-28")
        lines = run.line_ids.sorted(lambda line: (line.date_from, line.amount))
        self.assertEqual(
            [(str(line.date_from), line.quantity, line.amount) for line in lines],
            [
                ("2025-12-01", 240.0, 141.12),
                ("2025-12-01", 2760.0, 1484.88),
                ("2026-01-01", 1000.0, 538.0),
            ],
        )

    # ------------------------------------------------------------
    # 7. Degree-day boundaries (RULES.md 5.5)
    # ------------------------------------------------------------

    def test_degree_day_rule_values_boundaries_by_degree_days(self):
        """Heat read on Jan 1 (0) and Apr 1 (900 kWh); the rule says
        degree-days. Degree-days Jan 170, Feb 150, Mar 130 (450): Feb 1 = 900
        x 170/450 = 340, Mar 1 = 900 x 320/450 = 640: February 300 kWh x 0.25
        = 75.00 (linear: 310 and 590, 280 kWh, 70.00)."""
        heat = self.env.ref("meter_base.resource_heat")
        self.env["meter.rule"].create(
            {
                "building_id": self.building_b.id,
                "resource_id": heat.id,
                "estimate_method": "degree_days",
            }
        )
        meter = self.env["meter.meter"].create(
            {"name": "HEAT-Z", "unit_id": self.unit_z.id, "resource_id": heat.id}
        )
        self.point_z.meter_ids = meter
        self._reading(meter, "2026-01-01 00:00:00", 0)
        self._reading(meter, "2026-04-01 00:00:00", 900)
        run = self._computed(self.point_z, "2026-02-01", "2026-02-28")
        self.assertAlmostEqual(run.line_ids.quantity, 300.0, places=3)
        self.assertAlmostEqual(run.line_ids.amount, 75.0, places=2)
        self.assertIn("by degree-days", run.line_ids.readings_note)
