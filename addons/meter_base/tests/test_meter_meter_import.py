# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from meterkit import write_xlsx

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MeterBaseCommon

HEADER = (
    "name,site,building,unit,resource,kind,parent,multiplier,registers,"
    "commissioning_date"
)

GOOD_CSV = (
    HEADER.replace(",", ";")
    + """
EL-MAIN-X;SA;BA;;electricity;main;;1;1;2025-01-01
EL-A1-X;SA;BA;A1;electricity;individual;EL-MAIN-X;1,5;2;2025-01-01
"""
)

BAD_CSV = (
    HEADER
    + """
EL-OK,SA,BA,A1,electricity,individual,,1,1,2025-01-01
EL-A1,SA,BA,A1,electricity,individual,,1,1,2025-01-01
EL-2,XX,BA,A1,electricity,individual,,1,1,2025-01-01
EL-3,SA,BA,ZZ,electricity,individual,,1,1,2025-01-01
EL-4,SA,BA,A1,plasma,individual,,1,1,2025-01-01
EL-5,SA,BA,A1,electricity,individual,,abc,1,2025-01-01
EL-6,SA,BA,A1,electricity,individual,,1,9,2025-01-01
EL-7,SA,BA,A1,electricity,individual,,1,1,31.12.2025
EL-8,SA,BA,A1,electricity,individual,NOPE,1,1,2025-01-01
EL-9,SB,,,electricity,individual,,1,1,2025-01-01
"""
)


@tagged("post_install", "-at_install")
class TestMeterMeterImport(MeterBaseCommon):
    def _wizard(self, data, filename, user=None):
        Wizard = self.env["meter.meter.import"]
        if user:
            Wizard = Wizard.with_user(user)
        return Wizard.create({"file": base64.b64encode(data), "filename": filename})

    def test_csv_import_creates_meters_and_links(self):
        wizard = self._wizard(GOOD_CSV.encode(), "meters.csv")
        wizard.action_check()
        self.assertEqual(
            (wizard.state, wizard.error_count, wizard.row_count), ("checked", 0, 2)
        )
        self.assertFalse(self.env["meter.meter"].search([("name", "=", "EL-A1-X")]))
        wizard.action_import()
        meters = wizard.meter_ids
        self.assertEqual(len(meters), 2)
        child = meters.filtered(lambda m: m.name == "EL-A1-X")
        self.assertRecordValues(
            child,
            [
                {
                    "unit_id": self.unit_a1.id,
                    "multiplier": 1.5,
                    "register_count": 2,
                    "parent_id": meters.filtered(lambda m: m.kind == "main").id,
                }
            ],
        )

    def test_dry_run_names_every_bad_row_and_creates_nothing(self):
        wizard = self._wizard(BAD_CSV.encode(), "bad.csv")
        wizard.action_check()
        self.assertEqual(wizard.error_count, 8)
        for row, text in [
            (3, "already exists"),
            (4, "unknown site code 'XX'"),
            (5, "unit 'ZZ' not found"),
            (6, "unknown resource 'plasma'"),
            (7, "multiplier"),
            (8, "registers"),
            (9, "not a date"),
            (10, "upstream meter 'NOPE'"),
        ]:
            self.assertRegex(wizard.report, f"row {row}: .*{text}")
        self.assertNotIn("row 2:", wizard.report)
        with self.assertRaises(UserError):
            wizard.action_import()
        self.assertFalse(self.env["meter.meter"].search([("name", "=", "EL-OK")]))

    def test_xlsx_import_and_hostile_files(self):
        data = write_xlsx(
            ["name", "site", "resource", "building"],
            [["EL-XLSX", "SA", "electricity", "Building A"]],
        )
        wizard = self._wizard(data, "meters.xlsx")
        wizard.action_check()
        wizard.action_import()
        self.assertEqual(wizard.meter_ids.building_id, self.building_a)
        for data, name in [
            (b"PK\x03\x04garbage", "x.xlsx"),
            (b"", "e.csv"),
            (b"a", "x.pdf"),
        ]:
            with self.subTest(name=name), self.assertRaises(UserError):
                self._wizard(data, name).action_check()
        with self.assertRaisesRegex(UserError, "missing column"):
            self._wizard(b"name;kind\nX;main\n", "m.csv").action_check()

    def test_technician_cannot_import_into_other_site(self):
        wizard = self._wizard(
            b"name,site,resource\nEL-Z,SB,electricity\n", "m.csv", user=self.technician
        )
        wizard.action_check()
        self.assertIn("unknown site code 'SB'", wizard.report)
