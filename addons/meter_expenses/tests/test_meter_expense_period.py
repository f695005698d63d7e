# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MeterExpensesCommon


@tagged("post_install", "-at_install")
class TestMeterExpensePeriod(MeterExpensesCommon):
    def _close_costs_and_allocate(self):
        self.period.action_collect_costs()
        self.period.action_allocate()
        return self._statements()

    def test_vendor_bill_to_posted_statements(self):
        """From a posted vendor bill to posted statements (RULES §2.5, §5.1).

        Electricity 1000.00 (the vendor bill): consumption 700 by 300/800 kWh:
        A1 262.50, A2 437.50; base 300 by area 80/40: A1 200.00, A2 100.00.
        Ancillary 120.00 by area 80/40: A1 80.00, A2 40.00.
        A1 542.50, A2 577.50 (sum 1120.00). A1's advance of 120.00 invoiced
        for January by meter_billing is deducted: A1 pays 422.50, A2 577.50.
        """
        self.env.company.meter_advance_product_id = self.product_statement
        self.point_a1.advance_amount = 120.0
        self._bill(self._run(points=self.point_a1, kind="advance"))
        statements = self._close_costs_and_allocate()
        cost = self.period.cost_ids.filtered("move_line_id")
        self.assertEqual(cost.move_id, self.bill)
        self.assertAlmostEqual(cost.amount, 1000.0)
        s1, s2 = statements[self.tenant1], statements[self.tenant2]
        self.assertAlmostEqual(s1.amount_share, 542.50, places=2)
        self.assertAlmostEqual(s2.amount_share, 577.50, places=2)
        self.assertAlmostEqual(s1.advance_amount, 120.0, places=2)
        self.assertAlmostEqual(s1.amount_due, 422.50, places=2)
        self.assertAlmostEqual(s2.amount_due, 577.50, places=2)
        lines = {
            (line.section_id.name, line.pool_type): line.amount for line in s1.line_ids
        }
        self.assertEqual(
            lines,
            {
                ("Electricity", "consumption"): 262.50,
                ("Electricity", "base"): 200.0,
                ("Ancillary", "base"): 80.0,
            },
        )
        self.assertTrue(self.period.run_id.action_recompute())
        self.period.action_issue()
        self.assertEqual(self.period.state, "issued")
        self.assertEqual(s1.move_id.move_type, "out_invoice")
        self.assertEqual(s1.move_id.state, "posted")
        self.assertAlmostEqual(s1.move_id.amount_total, 422.50, places=2)
        self.assertAlmostEqual(s2.move_id.amount_total, 577.50, places=2)
        # a second posting (double click, resumed crash) posts nothing more
        moves = self.env["account.move"].search(
            [("meter_expense_statement_id", "in", (s1 | s2).ids)]
        )
        (s1 | s2)._post()
        self.assertEqual(
            self.env["account.move"].search_count(
                [("meter_expense_statement_id", "in", (s1 | s2).ids)]
            ),
            len(moves),
        )
        with self.assertRaises(UserError):
            self.period.action_issue()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env["account.move"].create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": self.tenant1.id,
                        "meter_expense_statement_id": s1.id,
                    }
                )
                self.env.flush_all()

    def test_occupant_change_split_by_days(self):
        """Tenant two leaves A2 on 15 January, tenant three moves in on the 16th;
        A2's meter has no interim reading: its 500 kWh split by days (§9b(3)).

        Electricity consumption 700 by A1 300, A2a 500 x 15/31, A2b 500 x 16/31:
        cents 26250, 21169.35, 22580.65 -> missing cent to A2b: 262.50,
        211.69, 225.81. Base 300 by 80, 40 x 15/31, 40 x 16/31: cents 20000,
        4838.71, 5161.29 -> missing cent to A2a: 200.00, 48.39, 51.61.
        Ancillary 120: 80.00, cents 1935.48 and 2064.52 -> missing cent to A2b:
        19.35, 20.65. Totals A1 542.50, A2a 279.43, A2b 298.07 (1120.00).
        """
        self.env["meter.occupancy"].create(
            {
                "unit_id": self.unit_a2.id,
                "partner_id": self.tenant3.id,
                "role": "tenant",
                "date_start": "2026-01-16",
            }
        )
        statements = self._close_costs_and_allocate()
        self.assertAlmostEqual(statements[self.tenant1].amount_share, 542.50, places=2)
        self.assertAlmostEqual(statements[self.tenant2].amount_share, 279.43, places=2)
        self.assertAlmostEqual(statements[self.tenant3].amount_share, 298.07, places=2)
        self.assertEqual(statements[self.tenant2].date_end.isoformat(), "2026-01-15")

    def test_reopen_issues_corrections(self):
        """Reopened after issue, a late caretaker cost of 31.00 is added.

        Ancillary 151.00 by area 80/40: cents 10066.67, 5033.33 -> missing cent
        to A1: 100.67, 50.33. A1 462.50 + 100.67 = 563.17, a correction of
        563.17 - 542.50 = 20.67; A2 537.50 + 50.33 = 587.83, correction 10.33.
        The issued statements and their invoices stay as they were."""
        first = self._close_costs_and_allocate()
        self.period.action_issue()
        original_moves = {p: s.move_id for p, s in first.items()}
        self.period.action_reopen()
        self.assertEqual(self.period.reopen_count, 1)
        self.env["meter.expense.cost"].create(
            {
                "period_id": self.period.id,
                "section_id": self.ancillary_section.id,
                "name": "Caretaker, December invoice",
                "amount": 31.0,
            }
        )
        self.period.action_allocate()
        self.assertTrue(self.period.run_id.action_compare_previous())
        self.assertIn("20.67", self.period.message_ids[0].body)
        corrections = self._statements()
        c1, c2 = corrections[self.tenant1], corrections[self.tenant2]
        self.assertEqual(c1.correction_of_id, first[self.tenant1])
        self.assertAlmostEqual(c1.amount_share, 563.17, places=2)
        self.assertAlmostEqual(c1.amount_due, 20.67, places=2)
        self.assertAlmostEqual(c2.amount_due, 10.33, places=2)
        self.period.action_issue()
        self.assertAlmostEqual(c1.move_id.amount_total, 20.67, places=2)
        for partner, statement in first.items():
            self.assertEqual(statement.state, "issued")
            self.assertEqual(statement.move_id, original_moves[partner])
        self.assertAlmostEqual(first[self.tenant1].amount_share, 542.50, places=2)

    def test_refund_when_advances_exceed_the_share(self):
        """A1's advances 600.00 exceed its share 542.50: a credit note of 57.50."""
        self.env.company.meter_advance_product_id = self.product_statement
        self.point_a1.advance_amount = 600.0
        self._bill(self._run(points=self.point_a1, kind="advance"))
        statements = self._close_costs_and_allocate()
        self.period.action_issue()
        move = statements[self.tenant1].move_id
        self.assertEqual(move.move_type, "out_refund")
        self.assertAlmostEqual(move.amount_total, 57.50, places=2)

    def test_overlapping_period_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "overlaps period January 2026"):
            self.env["meter.expense.period"].create(
                {
                    "name": "Q1 2026",
                    "site_id": self.site_a.id,
                    "date_start": "2026-01-15",
                    "date_end": "2026-03-31",
                }
            )

    def test_vendor_bill_item_allocated_once(self):
        """The bill collected by January is not collected again by a second
        period; linking it by hand is refused by the database."""
        self.period.action_collect_costs()
        other = self.env["meter.expense.period"].create(
            {
                "name": "Site A, building A only",
                "site_id": self.site_a.id,
                "date_start": "2026-02-01",
                "date_end": "2026-02-28",
                "section_ids": [
                    (0, 0, {"kind": "ancillary", "name": "Anc", "base_key": "area"})
                ],
            }
        )
        item = self.period.cost_ids.move_line_id
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env["meter.expense.cost"].create(
                    {
                        "period_id": other.id,
                        "section_id": other.section_ids.id,
                        "name": "Again",
                        "amount": 1000.0,
                        "move_line_id": item.id,
                    }
                )
                self.env.flush_all()

    def test_bill_of_another_company_is_refused(self):
        other = self.setup_other_company()
        bill = self._vendor_bill(
            50.0,
            "2026-01-20",
            company=other["company"],
            account=other["default_account_expense"],
        )
        item = bill.invoice_line_ids
        with self.assertRaisesRegex(ValidationError, "belongs to company"):
            self.env["meter.expense.cost"].create(
                {
                    "period_id": self.period.id,
                    "section_id": self.ancillary_section.id,
                    "name": "Foreign",
                    "amount": 50.0,
                    "move_line_id": item.id,
                }
            )

    def test_missing_area_names_the_unit(self):
        """B1 has no area: a site-B period keyed on area is refused naming B1."""
        period = self.env["meter.expense.period"].create(
            {
                "name": "Site B",
                "site_id": self.site_b.id,
                "date_start": "2026-01-01",
                "date_end": "2026-01-31",
                "section_ids": [
                    (0, 0, {"kind": "ancillary", "name": "Anc", "base_key": "area"})
                ],
            }
        )
        self.env["meter.expense.cost"].create(
            {
                "period_id": period.id,
                "section_id": period.section_ids.id,
                "name": "Cleaning",
                "amount": 10.0,
            }
        )
        period.action_collect_costs()
        with self.assertRaisesRegex(UserError, "unit B1 has no area"):
            period.action_allocate()

    def test_missing_closing_reading_names_the_meter(self):
        """A1's meter has no reading after 1 February: a period to the end of
        February cannot value it."""
        self.period.date_end = "2026-02-28"
        self.period.action_collect_costs()
        with self.assertRaisesRegex(UserError, "meter EL-A1"):
            self.period.action_allocate()

    def test_statement_pdf_all_at_once(self):
        """All statements render as one document, each with its balance."""
        statements = self._close_costs_and_allocate()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "meter_expenses.action_report_expense_statement",
                [s.id for s in statements.values()],
            )[0]
            .decode()
        )
        self.assertEqual(html.count("Balance to pay"), 2)
        self.assertIn("542.50", html)
        self.assertIn("577.50", html)

    def test_rating_factor_of_heat_cost_allocators(self):
        """A1's device has a rating factor of 2: 300 x 2 = 600 against A2's 500.

        Consumption 700: cents 70000 x 600/1100 = 38181.81, A2 31818.18; the
        missing cent to A1: 381.82, 318.18. A1 381.82 + 200.00 + 80.00 = 661.82,
        A2 318.18 + 100.00 + 40.00 = 458.18 (1120.00)."""
        self.meter_a1.expense_rating_factor = 2.0
        statements = self._close_costs_and_allocate()
        self.assertAlmostEqual(statements[self.tenant1].amount_share, 661.82, places=2)
        self.assertAlmostEqual(statements[self.tenant2].amount_share, 458.18, places=2)

    def test_co2_landlord_share(self):
        """CO2KostAufG on the electricity section: CO2 cost 200.00, 3000 kg over
        120 m² in 31 days = 3000 x 365 / (120 x 31) = 294.35 kg/m²/a >= 52:
        landlord 95 % = 190.00, credited by the section shares 462.50 / 537.50:
        cents 8787.5 and 10212.5, the tie to the earlier (A1): 87.88, 102.12.
        A1 542.50 - 87.88 = 454.62, A2 577.50 - 102.12 = 475.38; the owner
        bears 190.00."""
        self.electricity_section.write(
            {"co2_cost": 200.0, "co2_kg": 3000.0, "co2_area": 120.0}
        )
        statements = self._close_costs_and_allocate()
        self.assertAlmostEqual(statements[self.tenant1].amount_share, 454.62, places=2)
        self.assertAlmostEqual(statements[self.tenant2].amount_share, 475.38, places=2)
        self.assertAlmostEqual(self.period.owner_total, 190.0, places=2)
