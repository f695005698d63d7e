# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.fields import Command
from odoo.tests import freeze_time

from odoo.addons.meter_billing.tests.common import MeterBillingCommon


@freeze_time("2026-02-10 12:00:00")
class MeterExpensesCommon(MeterBillingCommon):
    """meter_billing's fixtures (site A: A1 80 m², tenant one, 300 kWh in
    January 2026; A2 tenant two, 500 kWh; site B: B1) with A2 given 40 m², and
    an expense period of January 2026 on site A with two sections:

    - electricity: 70 % by the unit meters, 30 % by area, its cost from a
      posted vendor bill of 1000.00 on the expense account;
    - ancillary: by area, a manual cost of 120.00.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["meter.unit.basis"].create(
            {
                "unit_id": cls.unit_a2.id,
                "kind": "area",
                "value": 40.0,
                "date_from": "2025-01-01",
            }
        )
        cls.expense_account = cls.company_data["default_account_expense"]
        cls.product_statement = env["product.product"].create(
            {"name": "Expense statement", "type": "service", "taxes_id": False}
        )
        cls.bill = cls._vendor_bill(1000.0, "2026-01-20")
        cls.period = env["meter.expense.period"].create(
            {
                "name": "January 2026",
                "site_id": cls.site_a.id,
                "date_start": "2026-01-01",
                "date_end": "2026-01-31",
                "product_id": cls.product_statement.id,
                "section_ids": [
                    Command.create(
                        {
                            "kind": "electricity",
                            "name": "Electricity",
                            "base_key": "area",
                            "consumption_share": 70.0,
                            "meter_ids": [
                                Command.set((cls.meter_a1 | cls.meter_a2).ids)
                            ],
                            "account_ids": [Command.set(cls.expense_account.ids)],
                        }
                    ),
                    Command.create(
                        {"kind": "ancillary", "name": "Ancillary", "base_key": "area"}
                    ),
                ],
            }
        )
        cls.electricity_section, cls.ancillary_section = cls.period.section_ids
        env["meter.expense.cost"].create(
            {
                "period_id": cls.period.id,
                "section_id": cls.ancillary_section.id,
                "name": "Caretaker",
                "cost_type": "ancillary",
                "amount": 120.0,
            }
        )

    @classmethod
    def _vendor_bill(cls, amount, date, company=None, account=None):
        company = company or cls.env.company
        account = account or cls.company_data["default_account_expense"]
        bill = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "in_invoice",
                    "partner_id": cls.owner.id,
                    "invoice_date": date,
                    "date": date,
                    "company_id": company.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Electricity common meter",
                                "quantity": 1.0,
                                "price_unit": amount,
                                "account_id": account.id,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        bill.action_post()
        return bill

    def _statements(self, period=None):
        period = period or self.period
        return {
            s.occupancy_id.partner_id: s
            for s in period.statement_ids.filtered(lambda s: s.state == "draft")
        }
