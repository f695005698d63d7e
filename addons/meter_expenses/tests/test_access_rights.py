# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MeterExpensesCommon


@tagged("post_install", "-at_install")
class TestAccessRights(MeterExpensesCommon):
    """Billing officers see the periods and statements of their sites only;
    meter readers see none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_b = cls._user(
            "billing_b", "meter_base.meter_base_group_billing", cls.site_b
        )

    def test_billing_officer_of_the_site(self):
        period = self.period.with_user(self.billing_a)
        period.action_collect_costs()
        period.action_allocate()
        self.assertEqual(len(period.statement_ids), 2)
        self.assertEqual(
            self.env["meter.expense.statement"]
            .with_user(self.billing_a)
            .search_count([("period_id", "=", self.period.id)]),
            2,
        )

    def test_billing_officer_of_another_site(self):
        self.period.action_collect_costs()
        self.period.action_allocate()
        Period = self.env["meter.expense.period"].with_user(self.billing_b)
        self.assertFalse(Period.search([("id", "=", self.period.id)]))
        with self.assertRaises(AccessError):
            self.period.with_user(self.billing_b).read(["name"])
        Statement = self.env["meter.expense.statement"].with_user(self.billing_b)
        self.assertFalse(Statement.search([("period_id", "=", self.period.id)]))

    def test_reader_has_no_access(self):
        with self.assertRaises(AccessError):
            self.env["meter.expense.period"].with_user(self.reader_a).search([])
        with self.assertRaises(AccessError):
            self.env["meter.expense.statement"].with_user(self.reader_a).search([])

    def test_substitute_values_per_site(self):
        """The site's billing officer enters a §9a substitute value; the
        officer of another site does not see it; a meter reader has no access."""
        Substitute = self.env["meter.expense.substitute"]
        substitute = Substitute.with_user(self.billing_a).create(
            {
                "section_id": self.electricity_section.id,
                "unit_id": self.unit_a2.id,
                "method": "own_history",
                "previous_quantity": 400.0,
                "previous_degree_days": 100.0,
                "degree_days": 100.0,
            }
        )
        self.assertAlmostEqual(substitute.quantity, 400.0, places=3)
        self.assertFalse(
            Substitute.with_user(self.billing_b).search([("id", "=", substitute.id)])
        )
        with self.assertRaises(AccessError):
            Substitute.with_user(self.reader_a).search([])
