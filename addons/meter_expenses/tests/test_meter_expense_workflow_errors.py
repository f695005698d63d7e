# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import MeterExpensesCommon


@tagged("post_install", "-at_install")
class TestMeterExpenseWorkflowErrors(MeterExpensesCommon):
    """Each step of a period refuses what it cannot do with a message naming
    the record, and writes nothing."""

    def _allocate(self):
        self.period.action_collect_costs()
        self.period.action_allocate()

    def test_steps_out_of_order_are_refused(self):
        """A draft period cannot be issued, closed or reopened; it stays draft
        and no statement is created."""
        for action in ("action_issue", "action_close", "action_reopen"):
            with self.assertRaisesRegex(
                UserError,
                "Period January 2026 is Draft: this step needs it in another state",
            ):
                getattr(self.period, action)()
        self.assertEqual(self.period.state, "draft")
        self.assertFalse(self.period.statement_ids)
        self.assertFalse(self.period.run_ids)
        self._allocate()
        with self.assertRaisesRegex(UserError, "is Allocated"):
            self.period.action_close()
        with self.assertRaisesRegex(UserError, "is Allocated"):
            self.period.action_collect_costs()
        self.assertEqual(self.period.state, "allocated")

    def test_period_without_section(self):
        """Collecting the costs of a period without sections says how to fix
        it; the period stays draft."""
        period = self.env["meter.expense.period"].create(
            {
                "name": "January 2026 B",
                "site_id": self.site_b.id,
                "date_start": "2026-01-01",
                "date_end": "2026-01-31",
            }
        )
        with self.assertRaisesRegex(
            UserError, "Period January 2026 B has no section: add the sections"
        ):
            period.action_collect_costs()
        self.assertEqual(period.state, "draft")

    def test_cost_in_a_section_of_another_period(self):
        """A cost refers to a section of its own period only."""
        other = self.env["meter.expense.period"].create(
            {
                "name": "January 2026 B",
                "site_id": self.site_b.id,
                "date_start": "2026-01-01",
                "date_end": "2026-01-31",
                "section_ids": [
                    Command.create(
                        {"kind": "ancillary", "name": "Cleaning", "base_key": "area"}
                    )
                ],
            }
        )
        with self.assertRaisesRegex(
            ValidationError,
            "Cost Insurance: section Cleaning is not of its period",
        ):
            self.env["meter.expense.cost"].create(
                {
                    "period_id": self.period.id,
                    "section_id": other.section_ids.id,
                    "name": "Insurance",
                    "amount": 50.0,
                }
            )

    def test_draft_vendor_bill_item_is_refused(self):
        """A vendor bill item becomes a cost only once its bill is posted:
        collecting skips the draft bill of 70.00 and takes the posted one of
        1000.00; entering the draft item by hand is refused."""
        draft = self._vendor_bill(70.0, "2026-01-22")
        draft.button_draft()
        item = draft.invoice_line_ids
        self.period.action_collect_costs()
        collected = self.period.cost_ids.filtered("move_line_id")
        self.assertEqual(collected.move_id, self.bill)
        self.assertAlmostEqual(self.period.cost_total, 1120.0, places=2)
        with (
            self.assertRaisesRegex(ValidationError, "is not posted"),
            self.env.cr.savepoint(),
        ):
            self.env["meter.expense.cost"].create(
                {
                    "period_id": self.period.id,
                    "section_id": self.electricity_section.id,
                    "name": "Draft bill",
                    "move_line_id": item.id,
                    "amount": 70.0,
                }
            )
        self.assertFalse(
            self.env["meter.expense.cost"].search([("name", "=", "Draft bill")])
        )

    def test_bill_reset_to_draft_after_collection_blocks_allocation(self):
        """The vendor bill of a collected cost is reset to draft: allocating
        refuses and creates no run and no statement."""
        self.period.action_collect_costs()
        self.bill.button_draft()
        with self.assertRaisesRegex(UserError, "is no longer posted"):
            self.period.action_allocate()
        self.assertEqual(self.period.state, "collected")
        self.assertFalse(self.period.run_ids)
        self.assertFalse(self.period.statement_ids)

    def test_cost_of_an_allocated_period_is_kept(self):
        """A cost of an allocated period cannot be deleted before the period
        is reopened; after the reopening it can."""
        self._allocate()
        caretaker = self.period.cost_ids.filtered(lambda c: c.name == "Caretaker")
        with self.assertRaisesRegex(
            UserError,
            "Cost Caretaker belongs to allocated period January 2026: reopen",
        ):
            caretaker.unlink()
        self.assertTrue(caretaker.exists())
        self.period.action_reopen()
        caretaker.unlink()
        self.assertFalse(caretaker.exists())

    def test_issued_statement_cannot_be_deleted(self):
        self._allocate()
        self.period.action_issue()
        statement = self.period.statement_ids[:1]
        with self.assertRaisesRegex(UserError, "An issued statement cannot be deleted"):
            statement.unlink()
        self.assertTrue(statement.exists())
        self.period.action_close()
        self.assertEqual(self.period.state, "closed")

    def test_export_without_statements(self):
        with self.assertRaisesRegex(
            UserError, "Period January 2026 has no statement yet"
        ):
            self.period.action_export_consumptions()

    def test_open_statements_action(self):
        self._allocate()
        action = self.period.action_open_statements()
        self.assertEqual(action["res_model"], "meter.expense.statement")
        self.assertEqual(action["domain"], [("period_id", "=", self.period.id)])
        self.assertEqual(
            self.env["meter.expense.statement"].search(action["domain"]),
            self.period.statement_ids,
        )
        self.assertEqual(self.period.statement_count, 2)

    def test_send_to_occupant_without_email(self):
        """Tenant One has no e-mail address: sending refuses and names the
        statement; no message is posted on it."""
        self._allocate()
        statement = self._statements()[self.tenant1]
        messages = len(statement.message_ids)
        with self.assertRaisesRegex(
            UserError,
            "January 2026 - A1 - Tenant One: the occupant has no e-mail address",
        ):
            statement.action_send()
        self.assertEqual(len(statement.message_ids), messages)

    def test_first_run_has_nothing_to_compare(self):
        self._allocate()
        with self.assertRaisesRegex(UserError, "is the first of its period"):
            self.period.run_id.action_compare_previous()

    def test_compare_with_previous_run(self):
        """A second allocation after an extra ancillary cost of 30.00 (by area
        80/40: A1 +20.00, A2 +10.00) posts both occupancies' deltas and the
        changed section on the period.

        First run: A1 542.50, A2 577.50 (see test_vendor_bill_to_posted_
        statements). Second: A1 562.50, A2 587.50."""
        self._allocate()
        self.env["meter.expense.cost"].create(
            {
                "period_id": self.period.id,
                "section_id": self.ancillary_section.id,
                "name": "Gardener",
                "cost_type": "ancillary",
                "amount": 30.0,
            }
        )
        self.period.action_allocate()
        statements = self._statements()
        self.assertAlmostEqual(statements[self.tenant1].amount_share, 562.50, places=2)
        self.assertAlmostEqual(statements[self.tenant2].amount_share, 587.50, places=2)
        self.assertEqual(len(self.period.run_ids), 2)
        self.period.run_id.action_compare_previous()
        body = self.period.message_ids[:1].body
        self.assertRegex(body, r"Ancillary: 120\.0+ -&gt; 150\.0+</li>")
        self.assertIn("Ancillary: 120.00 -&gt; 150.00</li>", body)
        self.assertIn("<td>542.50</td><td>562.50</td><td>20.00</td>", body)
        self.assertIn("<td>577.50</td><td>587.50</td><td>10.00</td>", body)
        self.assertNotIn("Electricity:", body)

    def test_compare_prints_money_in_the_user_language(self):
        """The comparison of test_compare_with_previous_run asked by a German
        user: the ancillary section 120.00 -> 120.00 + 1000.00 = 1120.00.
        By area 80/40: cents 74666.67, 37333.33 -> floors 74666 + 37333,
        the missing cent to A1 (remainder .67): 746.67, 373.33, against
        80.00, 40.00 before: A1 +666.67, A2 +333.33. Printed at the
        currency's two places with the German separators: "120,00 ->
        1.120,00", A1 542.50 -> 1209.17, A2 577.50 -> 910.83."""
        self.env["res.lang"]._activate_lang("de_DE")
        self._allocate()
        self.env["meter.expense.cost"].create(
            {
                "period_id": self.period.id,
                "section_id": self.ancillary_section.id,
                "name": "Roof cleaning",
                "cost_type": "ancillary",
                "amount": 1000.0,
            }
        )
        self.period.action_allocate()
        self.period.run_id.with_context(lang="de_DE").action_compare_previous()
        body = self.period.message_ids[:1].body
        self.assertIn("Ancillary: 120,00 -&gt; 1.120,00</li>", body)
        self.assertIn("<td>542,50</td><td>1.209,17</td><td>666,67</td>", body)
        self.assertIn("<td>577,50</td><td>910,83</td><td>333,33</td>", body)

    def test_tampered_run_is_detected(self):
        """A stored output hash that no longer matches the recomputation is
        reported; nothing is posted on the period."""
        self._allocate()
        run = self.period.run_id
        run.output_hash = "0" * 64
        messages = len(self.period.message_ids)
        with self.assertRaisesRegex(
            UserError, "the recomputation differs from the stored outputs"
        ):
            run.action_recompute()
        self.assertEqual(len(self.period.message_ids), messages)

    def test_substitute_for_a_unit_of_another_site(self):
        with self.assertRaisesRegex(
            ValidationError,
            "the unit is not on site Site A of section Electricity",
        ):
            self.env["meter.expense.substitute"].create(
                {
                    "section_id": self.electricity_section.id,
                    "unit_id": self.unit_b1.id,
                    "method": "own_history",
                    "previous_quantity": 100.0,
                    "previous_degree_days": 100.0,
                    "degree_days": 100.0,
                }
            )
