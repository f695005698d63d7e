# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestMeterBillingRun(MeterBillingCommon):
    def _tou_unit(self, tenant_from=None):
        """Unit A3 (65.5 m2) on the time-of-use tariff with a two-register meter:
        peak (T1) 100 -> 400 and valley (T2) 50 -> 250 in January 2026."""
        unit = self.env["meter.unit"].create(
            {"name": "A3", "building_id": self.building_a.id, "owner_id": self.owner.id}
        )
        self.env["meter.unit.basis"].create(
            {
                "unit_id": unit.id,
                "kind": "area",
                "value": 65.5,
                "date_from": "2025-01-01",
            }
        )
        Occupancy = self.env["meter.occupancy"]
        if tenant_from:
            Occupancy.create(
                {
                    "unit_id": unit.id,
                    "role": "vacancy",
                    "date_start": "2025-01-01",
                    "date_end": "2026-01-15",
                }
            )
            Occupancy.create(
                {
                    "unit_id": unit.id,
                    "partner_id": self.tenant3.id,
                    "role": "tenant",
                    "date_start": tenant_from,
                }
            )
        else:
            Occupancy.create(
                {
                    "unit_id": unit.id,
                    "partner_id": self.tenant3.id,
                    "role": "tenant",
                    "date_start": "2025-01-01",
                }
            )
        meter = self._meter("EL-A3", unit, registers=2)
        for register, start, end in (("T1", 100, 400), ("T2", 50, 250)):
            self._reading(meter, "2026-01-01 00:00:00", start, register=register)
            self._reading(meter, "2026-02-01 00:00:00", end, register=register)
        return self._point(unit, meter, self.tou), meter

    def test_tiered_tariff_end_to_end(self):
        """300 kWh: 240 x 0.4883 = 117.19 and 60 x 0.5383 = 32.30, plus the
        10.00 fee: 159.49. 500 kWh: 117.19 + 160 x 0.5383 (86.13) + 100 x
        0.7883 (78.83) + 10.00 = 292.15."""
        run = self._bill(self._run(sites=self.site_a))
        self.assertEqual(run.state, "posted")
        self.assertEqual(len(run.move_ids), 2)
        move1 = run.move_ids.filtered(lambda m: m.partner_id == self.tenant1)
        move2 = run.move_ids.filtered(lambda m: m.partner_id == self.tenant2)
        self.assertEqual(move1.state, "posted")
        self.assertEqual(move1.invoice_date, date(2026, 2, 10), "posted today")
        self.assertAlmostEqual(move1.amount_untaxed, 159.49, places=2)
        self.assertAlmostEqual(move2.amount_untaxed, 292.15, places=2)
        lines = run.line_ids.filtered(lambda line: line.partner_id == self.tenant1)
        self.assertEqual(
            [
                (line.band, line.quantity, line.price_unit, line.amount)
                for line in lines
            ],
            [
                ("block 1", 240.0, 0.4883, 117.19),
                ("block 2", 60.0, 0.5383, 32.30),
                ("", 1.0, 10.0, 10.0),
            ],
        )
        energy = lines[0]
        self.assertIn("1000", energy.readings_note)
        self.assertIn("1300", energy.readings_note)
        self.assertEqual(energy.tariff_version_id, self.tiered.version_ids)
        self.assertEqual((lines[2].days, lines[2].period_days), (31, 31))
        # grouped and ordered as the tariff says: Energy section then Fees
        names = move1.invoice_line_ids.mapped(
            lambda ml: (ml.display_type, ml.name.split(",")[0])
        )
        self.assertEqual(
            names,
            [
                ("line_section", "Energy"),
                ("product", "Electricity (block 1)"),
                ("product", "Electricity (block 2)"),
                ("line_section", "Fees"),
                ("product", "Meter fee"),
            ],
        )
        self.assertEqual(energy.move_line_id.price_subtotal, 117.19)
        self.assertEqual(
            energy.move_line_id.account_id,
            self.product_energy.property_account_income_id
            or self.company_data["default_account_revenue"],
        )

    def test_calculation_sheet(self):
        run = self._bill(self._run(points=self.point_a1), post=False)
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "meter_billing.action_report_calculation_sheet", run.result_ids.ids
        )
        html = html.decode()
        for text in ("Calculation sheet", "block 1", "117.19", "1300", "159.49"):
            self.assertIn(text, html)

    def test_calculation_sheet_quantities_at_the_meter_decimals(self):
        """Electricity readings take 2 decimals: a stored quantity of 12.3457
        kWh is shown 12.35 (half-up), never with the 4 stored places; the fixed
        fee's quantity is not a meter's and is shown at two places."""
        run = self._bill(self._run(points=self.point_a1), post=False)
        energy = run.line_ids.filtered(lambda line: line.component_type == "tiered")[:1]
        energy.quantity = 12.34567
        self.assertEqual(energy.quantity, 12.3457)
        self.assertEqual(energy.quantity_shown, "12.35")
        fee = run.line_ids.filtered(lambda line: line.component_type == "fixed")[:1]
        self.assertEqual(fee.quantity_shown, f"{fee.quantity:.2f}")
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "meter_billing.action_report_calculation_sheet", run.result_ids.ids
        )
        self.assertIn("12.35", html.decode())
        self.assertNotIn("12.3457", html.decode())

    def test_tou_tariff_end_to_end(self):
        """Peak 300 x 0.30 = 90.00, valley 200 x 0.15 = 30.00, area 65.5 m2 x
        0.50 = 32.75: 152.75."""
        point, _meter = self._tou_unit()
        run = self._bill(self._run(points=point))
        self.assertAlmostEqual(run.move_ids.amount_untaxed, 152.75, places=2)
        self.assertEqual(
            [(line.band, line.quantity, line.amount) for line in run.line_ids],
            [("peak", 300.0, 90.0), ("valley", 200.0, 30.0), ("", 65.5, 32.75)],
        )

    def _two_part_tariff(self, calendar=None):
        """Peak 0.30 and valley 0.15 per kWh from interval data (by default the
        calendar's bands have no register), maximum demand 30.00 per kW and
        month."""
        calendar = calendar or self._calendar(registers=(False, False))
        return self.env["meter.tariff"].create(
            {
                "name": "Two-part",
                "version_ids": [
                    Command.create(
                        {
                            "date_from": "2025-01-01",
                            "tou_calendar_id": calendar.id,
                            "component_ids": [
                                Command.create(
                                    {
                                        "sequence": seq,
                                        "name": name,
                                        "product_id": self.product_energy.id,
                                        "component_type": kind,
                                        "price": price,
                                        "band_code": band,
                                    }
                                )
                                for seq, name, kind, price, band in (
                                    (10, "Peak", "tou_energy", 0.30, "peak"),
                                    (20, "Valley", "tou_energy", 0.15, "valley"),
                                    (30, "Demand", "demand_peak", 30.0, False),
                                )
                            ],
                        }
                    )
                ],
            }
        )

    def _two_part_point(self, tariff):
        """A 1-register meter of a new unit A5 billed with ``tariff``; Monday 5
        and Tuesday 6 January 2026: 192 intervals of 0.25 kWh but 2.5 kWh at
        10:00 on Monday."""
        unit = self._unit("A5", self.building_a, self.tenant3)
        meter = self._meter("EL-A5", unit, registers=1)
        start = datetime(2026, 1, 5)
        rows = []
        for k in range(192):
            at = start + timedelta(minutes=15 * k)
            value = "2.5" if at == datetime(2026, 1, 5, 10) else "0.25"
            rows.append((meter.id, "T1", at, value))
        self.env["meter.interval"]._bulk_load(rows)
        return self._point(unit, meter, tariff), meter

    def test_two_part_tariff_from_interval_data(self):
        """Monday 5 and Tuesday 6 January 2026, 192 intervals of 0.25 kWh but
        2.5 kWh at 10:00 on Monday. Peak (08-22 weekdays): 111 x 0.25 + 2.5 =
        30.25 kWh x 0.30 = 9.075 -> 9.08; valley 80 x 0.25 = 20 kWh x 0.15 =
        3.00; maximum demand 2.5 kWh x 4 = 10 kW x 30.00 per kW and month x
        2/31 days = 19.35. Total 31.43."""
        point, _meter = self._two_part_point(self._two_part_tariff())
        run = self._bill(
            self._run(points=point, date_from="2026-01-05", date_to="2026-01-06"),
            post=False,
        )
        self.assertEqual(
            [(line.quantity, line.amount) for line in run.line_ids],
            [(30.25, 9.08), (20.0, 3.0), (10.0, 19.35)],
        )
        self.assertAlmostEqual(run.move_ids.amount_untaxed, 31.43, places=2)

    def test_single_register_meter_bands_from_interval_data(self):
        """The calendar maps peak to T1 and valley to T2, but the meter has
        one (total) register: its total (50.25 kWh read on T1) is not the
        peak band; both bands come from its interval data, as above: 30.25
        kWh x 0.30 = 9.08, 20 kWh x 0.15 = 3.00, demand 19.35: 31.43."""
        tariff = self._two_part_tariff(self._calendar())
        point, meter = self._two_part_point(tariff)
        self._reading(meter, "2026-01-05 00:00:00", 1000)
        self._reading(meter, "2026-01-07 00:00:00", 1050.25)
        run = self._bill(
            self._run(points=point, date_from="2026-01-05", date_to="2026-01-06"),
            post=False,
        )
        self.assertEqual(
            [(line.band, line.quantity, line.amount) for line in run.line_ids],
            [("peak", 30.25, 9.08), ("valley", 20.0, 3.0), ("", 10.0, 19.35)],
        )
        self.assertAlmostEqual(run.move_ids.amount_untaxed, 31.43, places=2)

    def test_interval_data_read_once_per_run_batch(self):
        """Three points on the two-part tariff, one run: the interval data of
        all of them is read in one batched bands query (two statements: the
        interval starts, then the sums) and one grouped peaks query, not three
        per point; each point keeps its own coincident peak.

        Monday 5 and Tuesday 6 January 2026, 192 intervals of 0.25 kWh per
        meter, but v kWh at 10:00 on Monday (v = 1, 2, 3 for A5, A6, A7).
        Peak (08-22 weekdays, 112 intervals): 111 x 0.25 + v = 27.75 + v kWh x
        0.30; valley 80 x 0.25 = 20 kWh x 0.15 = 3.00; demand v x 4 kW x 30.00
        x 2/31 days:
        A5: 28.75 x 0.30 = 8.625 -> 8.63; 4 kW x 60/31 = 7.741.. -> 7.74;
        A6: 29.75 x 0.30 = 8.925 -> 8.93; 8 kW x 60/31 = 15.483.. -> 15.48;
        A7: 30.75 x 0.30 = 9.225 -> 9.23; 12 kW x 60/31 = 23.225.. -> 23.23.
        (Summed across the points, the peak would be 6 kWh x 4 = 24 kW.)"""
        tariff = self._two_part_tariff()
        points = self.env["meter.billing.point"]
        start = datetime(2026, 1, 5)
        for name, spike in (("A5", "1"), ("A6", "2"), ("A7", "3")):
            unit = self._unit(name, self.building_a, self.tenant3)
            meter = self._meter(f"EL-{name}", unit, registers=1)
            self.env["meter.interval"]._bulk_load(
                [
                    (
                        meter.id,
                        "T1",
                        start + timedelta(minutes=15 * k),
                        spike if k == 40 else "0.25",
                    )
                    for k in range(192)
                ]
            )
            points |= self._point(unit, meter, tariff)
        run = self._run(points=points, date_from="2026-01-05", date_to="2026-01-06")
        queries = []
        with self._cron_budget(None), contextmanager(self._patchExecute)(queries):
            run.action_compute()
            run._process()
        interval_queries = [q for q in queries if "meter_interval" in q]
        self.assertEqual(len(interval_queries), 3, "\n".join(interval_queries))
        self.assertEqual(run.state, "computed")
        self.assertEqual(
            [
                [(line.quantity, line.amount) for line in result.line_ids]
                for result in run.result_ids.sorted(lambda r: r.billing_point_id.id)
            ],
            [
                [(28.75, 8.63), (20.0, 3.0), (4.0, 7.74)],
                [(29.75, 8.93), (20.0, 3.0), (8.0, 15.48)],
                [(30.75, 9.23), (20.0, 3.0), (12.0, 23.23)],
            ],
        )

    def test_move_in_splits_and_prorates(self):
        """Vacancy to 15 January (owner), tenant from the 16th; readings on the
        16th: peak 250, valley 120.
        Owner: 150 x 0.30 = 45.00, 70 x 0.15 = 10.50, 32.75 x 15/31 = 15.85.
        Tenant: 150 x 0.30 = 45.00, 130 x 0.15 = 19.50, 32.75 x 16/31 = 16.90."""
        point, meter = self._tou_unit(tenant_from="2026-01-16")
        self._reading(meter, "2026-01-16 00:00:00", 250, register="T1")
        self._reading(meter, "2026-01-16 00:00:00", 120, register="T2")
        run = self._bill(self._run(points=point))
        owner_move = run.move_ids.filtered(lambda m: m.partner_id == self.owner)
        tenant_move = run.move_ids.filtered(lambda m: m.partner_id == self.tenant3)
        self.assertAlmostEqual(owner_move.amount_untaxed, 71.35, places=2)
        self.assertAlmostEqual(tenant_move.amount_untaxed, 81.40, places=2)
        area = run.line_ids.filtered(
            lambda line: line.component_type == "area" and line.partner_id == self.owner
        )
        self.assertEqual((area.days, area.period_days, area.amount), (15, 31, 15.85))

    def test_interpolated_boundary(self):
        """No reading at midnight: the boundary values are interpolated in time
        (meterkit): 1000 between 990 and 1010, 1300 between 1290 and 1310, so
        300 kWh as in the tiered test (159.49)."""
        unit = self._unit("A4", self.building_a, self.tenant3)
        meter = self._meter("EL-A4", unit)
        for at, value in (
            ("2025-12-31 12:00:00", 990),
            ("2026-01-01 12:00:00", 1010),
            ("2026-01-31 12:00:00", 1290),
            ("2026-02-01 12:00:00", 1310),
        ):
            self._reading(meter, at, value)
        point = self._point(unit, meter, self.tiered)
        run = self._bill(self._run(points=point), post=False)
        self.assertEqual(run.result_ids.state, "invoiced")
        self.assertIn("interpolated", run.line_ids[0].readings_note)
        self.assertAlmostEqual(run.move_ids.amount_untaxed, 159.49, places=2)

    def test_tariff_change_splits_lines(self):
        """A new version from 16 January (fee 20.00): the fee is split 15/31 x
        10.00 = 4.84 and 16/31 x 20.00 = 10.32; the consumption is read on the
        16th (1100): 100 kWh in block 1 at 0.4883 (48.83), then 140 kWh more in
        block 1 (68.36) and 60 in block 2 (32.30): blocks run on across the
        change."""
        version = self.tiered.version_ids
        version.copy({"date_from": "2026-01-16"}).component_ids.filtered(
            lambda c: c.component_type == "fixed"
        ).price = 20.0
        self._reading(self.meter_a1, "2026-01-16 00:00:00", 1100)
        run = self._bill(self._run(points=self.point_a1), post=False)
        self.assertEqual(
            [(line.date_from.day, line.band, line.amount) for line in run.line_ids],
            [
                (1, "block 1", 48.83),
                (16, "block 1", 68.36),
                (16, "block 2", 32.30),
                (1, "", 4.84),
                (16, "", 10.32),
            ],
        )
        self.assertAlmostEqual(run.move_ids.amount_untaxed, 164.65, places=2)

    def _drop_closing_reading_a2(self):
        self.env["meter.reading"].search(
            [("meter_id", "=", self.meter_a2.id), ("read_at", ">", "2026-01-15")]
        ).unlink()

    def test_missing_reading_blocks(self):
        """No reading after the period: blocked with the reason; nothing
        invoiced for it, the others are."""
        self._drop_closing_reading_a2()
        run = self._run(sites=self.site_a)
        with self._cron_budget(None):
            run.action_compute()
            run._process()
            blocked = run.result_ids.filtered(lambda r: r.state == "blocked")
            self.assertEqual(blocked.billing_point_id, self.point_a2)
            self.assertIn("missing reading", blocked.block_reason)
            # nothing computed: releasing it would mark its period billed
            with self.assertRaises(UserError):
                blocked.action_release()
            self.assertEqual(blocked.state, "blocked")
            run.action_invoice()
            run._process()
        self.assertEqual(run.move_ids.partner_id, self.tenant1)
        # Still blocked when its run is invoiced: left for a later run, with
        # its reason, and counted as blocked on the run.
        self.assertEqual(blocked.state, "deferred")
        self.assertIn("missing reading", blocked.block_reason)
        run.invalidate_recordset()
        self.assertEqual(run.blocked_count, 1)
        # The reading arrives: the next run of January bills A2 only.
        self._reading(self.meter_a2, "2026-02-01 00:00:00", 2500)
        later = self._bill(self._run(sites=self.site_a), post=False)
        self.assertEqual(later.result_ids.billing_point_id, self.point_a2)
        self.assertEqual(later.result_ids.state, "invoiced")
        self.assertEqual(later.move_ids.partner_id, self.tenant2)
        self.assertAlmostEqual(later.move_ids.amount_untaxed, 292.15, places=2)
        self.assertEqual(self.point_a2.billed_until, fields.Date.to_date("2026-01-31"))
        # ... and a third run finds January fully billed.
        third = self._bill(self._run(sites=self.site_a), post=False)
        self.assertFalse(third.result_ids)
        self.assertFalse(third.move_ids)

    def test_counts_and_progress(self):
        """The run's counters and the progress of each step: A2 has no
        reading after the period (blocked), A1 is billed."""
        self._drop_closing_reading_a2()
        run = self._run(sites=self.site_a)
        with self._cron_budget(None):
            run.action_compute()
            run.invalidate_recordset()
            self.assertEqual((run.point_count, run.progress), (2, 0.0))
            run._process()
            run.invalidate_recordset()
            self.assertEqual(
                (run.result_count, run.blocked_count, run.progress), (2, 1, 100.0)
            )
            run.action_invoice()
            run.invalidate_recordset()
            self.assertEqual((run.state, run.progress), ("invoicing", 0.0))
            run._process()
            run.invalidate_recordset()
            self.assertEqual((run.move_count, run.progress), (1, 100.0))
            run.action_post()
            run.invalidate_recordset()
            self.assertEqual((run.state, run.progress), ("posting", 0.0))
            run._process()
        run.invalidate_recordset()
        self.assertEqual((run.state, run.progress), ("posted", 100.0))

    def test_estimated_reading_blocks_until_released(self):
        self.env["meter.reading"].search(
            [("meter_id", "=", self.meter_a1.id), ("read_at", ">", "2026-01-15")]
        ).write({"state": "estimated"})
        run = self._run(points=self.point_a1)
        with self._cron_budget(None):
            run.action_compute()
            run._process()
            self.assertEqual(run.result_ids.state, "blocked")
            self.assertTrue(run.line_ids[0].is_estimated)
            self.assertIn("estimated", run.line_ids[0].readings_note)
            run.result_ids.action_release()
            self.assertEqual(run.result_ids.released_by_id, self.env.user)
            run.action_invoice()
            run._process()
        self.assertEqual(run.result_ids.state, "invoiced")
        self.assertAlmostEqual(run.move_ids.amount_untaxed, 159.49, places=2)

    def test_swiss_cash_rounding(self):
        """159.49 is invoiced 159.50 with the 0.05 cash rounding."""
        rounding = self.env["account.cash.rounding"].create(
            {
                "name": "CHF 0.05",
                "rounding": 0.05,
                "strategy": "add_invoice_line",
                "rounding_method": "HALF-UP",
                "profit_account_id": self.company_data["default_account_revenue"].id,
                "loss_account_id": self.company_data["default_account_expense"].id,
            }
        )
        self.env.company.meter_cash_rounding_id = rounding
        run = self._bill(self._run(points=self.point_a1))
        self.assertEqual(run.cash_rounding_id, rounding)
        self.assertAlmostEqual(run.move_ids.amount_total, 159.50, places=2)

    def test_analytic_distribution_per_site_and_unit(self):
        Plan = self.env["account.analytic.plan"]
        Account = self.env["account.analytic.account"]
        site_account = Account.create(
            {"name": "Site A", "plan_id": Plan.create({"name": "Sites"}).id}
        )
        unit_account = Account.create(
            {"name": "Unit A1", "plan_id": Plan.create({"name": "Units"}).id}
        )
        self.site_a.meter_analytic_account_id = site_account
        self.point_a1.analytic_account_id = unit_account
        run = self._bill(self._run(points=self.point_a1))
        lines = run.move_ids.invoice_line_ids.filtered(
            lambda ml: ml.display_type == "product"
        )
        key = f"{site_account.id},{unit_account.id}"
        self.assertEqual(lines.mapped("analytic_distribution"), [{key: 100.0}] * 3)
        analytic = self.env["account.analytic.line"].search(
            [("move_line_id", "in", lines.ids)]
        )
        self.assertAlmostEqual(sum(analytic.mapped("amount")), 159.49, places=2)

    def test_credit_note_and_rebill(self):
        """A posted invoice is corrected only by a credit note and a rebill."""
        run = self._bill(self._run(points=self.point_a1))
        original = run.move_ids
        reading = self.env["meter.reading"].search(
            [("meter_id", "=", self.meter_a1.id), ("read_at", ">", "2026-01-15")]
        )
        reading._correct(1200.0, "typo")
        action = run.result_ids.action_credit_and_rebill()
        self.assertEqual(run.result_ids.state, "reversed")
        self.assertIn(original.payment_state, ("reversed", "paid"))
        credit = self.env["account.move"].search(
            [("reversed_entry_id", "=", original.id)]
        )
        self.assertEqual(credit.move_type, "out_refund")
        self.assertAlmostEqual(credit.amount_untaxed, 159.49, places=2)
        rebill = self.env["meter.billing.run"].browse(action["domain"][0][2])
        self.assertTrue(rebill.is_correction)
        self.assertEqual(rebill.state, "invoiced")
        # 200 kWh x 0.4883 = 97.66 + 10.00
        self.assertAlmostEqual(rebill.move_ids.amount_untaxed, 107.66, places=2)
        self.assertEqual(rebill.move_ids.state, "draft")
        self.assertEqual(original.state, "posted")

    def test_advance_invoices(self):
        product = self.env["product.product"].create(
            {"name": "Advance", "type": "service", "taxes_id": [Command.clear()]}
        )
        self.env.company.meter_advance_product_id = product
        self.point_a1.advance_amount = 120.0
        run = self._bill(self._run(points=self.point_a1, kind="advance"), post=False)
        self.assertAlmostEqual(run.move_ids.amount_untaxed, 120.0, places=2)
        # an advance does not take the consumption slot of the period
        consumption = self._bill(self._run(points=self.point_a1), post=False)
        self.assertAlmostEqual(consumption.move_ids.amount_untaxed, 159.49, places=2)
