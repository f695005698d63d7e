# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import io

from openpyxl import Workbook

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MeterBillingCommon

HEADER = ["Site", "Unit", "Meters", "Occupant", "Email", "Tariff", "Alarm1", "Alarm2"]


@tagged("post_install", "-at_install")
class TestPrepaidImport(MeterBillingCommon):
    """Unit-meter-occupant mappings of site A (code BA) prepared in an XLSX
    file generated with openpyxl: units A1 (meter EL-A1) and A2 (EL-A2),
    the tiered tariff."""

    def _xlsx(self, rows):
        book = Workbook()
        sheet = book.active
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return self.env["meter.prepaid.import"].create(
            {
                "file": base64.b64encode(buffer.getvalue()),
                "filename": "prepaid.xlsx",
            }
        )

    def _written(self):
        return (
            self.env["meter.prepaid.account"].search_count([]),
            self.env["meter.billing.point"].search_count([]),
            self.env["res.partner"].search_count([]),
        )

    def test_import_prepares_draft_accounts(self):
        """Row 2: A1, EL-A1, Tenant One (an existing contact, matched by
        name), alarm 1 30, alarm 2 10. Row 3: A2, EL-A2, a new occupant with
        an e-mail, default thresholds (50, 20). Two draft accounts on new
        billing points of the tiered tariff; one contact is created."""
        tariff = self.tiered.name
        wizard = self._xlsx(
            [
                ["BA", "A1", "EL-A1", "Tenant One", None, tariff, 30, 10],
                ["BA", "A2", "EL-A2", "New Resident", "new@example.com", tariff],
            ]
        )
        wizard.action_check()
        self.assertRecordValues(wizard, [{"error_count": 0, "row_count": 2}])
        wizard.action_import()
        accounts = wizard.account_ids.sorted("unit_id")
        self.assertRecordValues(
            accounts,
            [
                {
                    "unit_id": self.unit_a1.id,
                    "state": "draft",
                    "alarm1_amount": 30.0,
                    "alarm2_amount": 10.0,
                },
                {
                    "unit_id": self.unit_a2.id,
                    "state": "draft",
                    "alarm1_amount": 50.0,
                    "alarm2_amount": 20.0,
                },
            ],
        )
        self.assertEqual(accounts[0].partner_id, self.tenant1)
        self.assertEqual(accounts[1].partner_id.email, "new@example.com")
        self.assertEqual(accounts[0].meter_ids, self.meter_a1)
        self.assertEqual(
            accounts.billing_point_id.tariff_line_ids.tariff_id, self.tiered
        )

    def test_bad_rows_are_named_and_nothing_is_written(self):
        """Row 2 is good; row 3 names unit A9 (unknown), row 4 meter EL-B1
        (not a meter of A2), row 5 unit A1 a second time, row 6 an alarm 2
        above alarm 1 and row 7 a tariff that does not exist. The dry run
        names rows 3-7; importing refuses and writes nothing; a formula
        cell refuses the file."""
        tariff = self.tiered.name
        before = self._written()
        wizard = self._xlsx(
            [
                ["BA", "A1", "EL-A1", "Tenant One", None, tariff],
                ["BA", "A9", "EL-A1", "Someone", None, tariff],
                ["BA", "A2", "EL-B1", "Tenant Two", None, tariff],
                ["BA", "A1", "EL-A1", "Tenant One", None, tariff],
                ["BB", "B1", "EL-B1", "Tenant Three", None, tariff, 10, 20],
                ["BA", "A2", "EL-A2", "Tenant Two", None, "No such tariff"],
            ]
        )
        wizard.action_check()
        self.assertRecordValues(wizard, [{"error_count": 5, "row_count": 6}])
        for row, text in (
            (3, "A9"),
            (4, "EL-B1"),
            (5, "twice"),
            (6, "alarm 2"),
            (7, "No such tariff"),
        ):
            self.assertIn(f"row {row}: ", wizard.report)
            line = next(
                line
                for line in wizard.report.splitlines()
                if line.startswith(f"row {row}: ")
            )
            self.assertIn(text, line)
        self.assertNotIn("row 2: ", wizard.report)
        with self.assertRaises(UserError):
            wizard.action_import()
        self.assertEqual(self._written(), before)
        formula = self._xlsx([["BA", "A1", "EL-A1", "=1+1", None, tariff]])
        with self.assertRaises(UserError):
            formula.action_check()
        self.assertEqual(self._written(), before)
