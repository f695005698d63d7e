# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from meterkit import read_rows

from odoo.tests import tagged

from .common import MeterExpensesCommon


@tagged("post_install", "-at_install")
class TestMeterExpenseStatement(MeterExpensesCommon):
    def _issued(self):
        self.period.action_collect_costs()
        self.period.action_allocate()
        self.period.action_issue()
        return self.period.statement_ids

    def test_balances_posted_without_chatter(self):
        """Issuing in a plain context (chatter on, as a user clicking): the
        balance moves are created and posted in one batch without a
        "created" note, followers or tracking values per move; each move
        links its statement."""
        chatter_on = dict.fromkeys(
            ("tracking_disable", "mail_create_nolog", "mail_notrack"), False
        )
        self.period.action_collect_costs()
        self.period.action_allocate()
        self.period.with_context(**chatter_on).action_issue()
        moves = self.period.statement_ids.move_id
        self.assertEqual(len(moves), 2)
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        self.assertFalse(moves.message_ids)
        self.assertFalse(moves.message_follower_ids)
        self.assertEqual(moves.meter_expense_statement_id, self.period.statement_ids)

    def test_send_by_mail_with_the_pdf(self):
        statements = self._issued()
        self.tenant1.email = "tenant.one@example.com"
        statement = statements.filtered(lambda s: s.partner_id == self.tenant1)
        statement.action_send()
        message = statement.message_ids.filtered(lambda m: m.message_type == "comment")[
            :1
        ]
        self.assertIn(self.tenant1, message.partner_ids)
        self.assertTrue(message.attachment_ids.name.startswith("Statement - A1"))

    def test_export_is_formula_safe(self):
        """An occupant named like a formula is exported as text ('=...), and
        each line's amount is there: A1's electricity consumption 262.50."""
        self.tenant2.name = '=HYPERLINK("http://evil")'
        statements = self._issued()
        action = statements.action_export_consumptions()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[-1].split("?")[0])
        )
        header, rows = read_rows(base64.b64decode(attachment.datas), "c.xlsx")
        self.assertEqual(header[:3], ["period", "unit", "occupant"])
        names = {row["occupant"] for row in rows}
        self.assertIn('\'=HYPERLINK("http://evil")', names)
        amounts = {
            (row["occupant"], row["section"], row["pool"]): row["amount"]
            for row in rows
        }
        self.assertEqual(amounts[("Tenant One", "Electricity", "consumption")], "262.5")

    def test_owner_bears_the_vacancy(self):
        """A2 is vacant from 16 January (the owner's): the vacancy statement is
        not posted, the owner total is its share 298.07 (see the occupant change
        test: A2b = 225.81 + 51.61 + 20.65)."""
        self.env["meter.occupancy"].create(
            {
                "unit_id": self.unit_a2.id,
                "partner_id": self.owner.id,
                "role": "vacancy",
                "date_start": "2026-01-16",
            }
        )
        statements = self._issued()
        vacancy = statements.filtered("is_owner_share")
        self.assertEqual(vacancy.partner_id, self.owner)
        self.assertAlmostEqual(vacancy.amount_share, 298.07, places=2)
        self.assertFalse(vacancy.move_id)
        self.assertAlmostEqual(self.period.owner_total, 298.07, places=2)
