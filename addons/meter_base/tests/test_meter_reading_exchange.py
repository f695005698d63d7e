# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import io
import zipfile

from meterkit.exchange import parse_readings_rows, parse_readings_xml

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, tagged

from .common import MeterBaseCommon

NS = 'xmlns="urn:meter-suite:readings:1"'


def xml(*readings):
    body = "\n".join(
        '<reading meter="{}" read_at="{}" value="{}"/>'.format(*r) for r in readings
    )
    return f'<?xml version="1.0"?>\n<readings {NS}>\n{body}\n</readings>\n'.encode()


def csv(*lines):
    return ("meter,register,read_at,value\n" + "\n".join(lines) + "\n").encode()


@tagged("post_install", "-at_install")
class TestMeterReadingExchange(MeterBaseCommon):
    def _values(self, meter):
        readings = self.env["meter.reading"].search(
            [("meter_id", "=", meter.id)], order="read_at"
        )
        return readings.mapped("value")

    def _wizard(self, data, filename, user=None, **vals):
        Wizard = self.env["meter.reading.import"]
        if user:
            Wizard = Wizard.with_user(user)
        return Wizard.create(
            {"file": base64.b64encode(data), "filename": filename, **vals}
        )

    def test_xml_dry_run_then_import(self):
        data = xml(
            ("EL-A1", "2025-01-31T22:00:00Z", "100"),
            ("EL-A1", "2025-02-28T22:00:00Z", "150.5"),
            ("NOPE", "2025-02-28T22:00:00Z", "1"),
            ("HW-A2", "2025-02-28T22:00:00Z", "abc"),
        )
        wizard = self._wizard(data, "in.xml")
        wizard.action_check()
        self.assertEqual(wizard.state, "checked")
        self.assertEqual(
            (wizard.row_count, wizard.created_count, wizard.error_count), (4, 2, 2)
        )
        self.assertIn("Dry run: nothing was stored.", wizard.report)
        self.assertIn("line 5 [unknown_meter] meter NOPE", wizard.report)
        self.assertIn(
            "line 6 [not_parsable] value 'abc' is not a number", wizard.report
        )
        self.assertEqual(self._values(self.meter_a1), [])
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(self._values(self.meter_a1), [100, 150.5])
        readings = self.meter_a1.reading_ids.sorted("read_at")
        self.assertEqual(set(readings.mapped("source")), {"import"})
        self.assertEqual(
            readings.mapped("evidence"), ["in.xml, line 3", "in.xml, line 4"]
        )
        # Re-importing the same file stores nothing more.
        again = self._wizard(data, "in.xml")
        again.action_import()
        self.assertEqual((again.created_count, again.duplicate_count), (0, 2))

    def test_stop_policy_keeps_rows_before_first_error(self):
        data = csv(
            "EL-A1,T1,2025-01-31 22:00:00,100",
            "EL-A1,T1,2025-02-28 22:00:00,90",  # goes down: line 3
            "HW-A2,T1,2025-02-28 22:00:00,5",
        )
        wizard = self._wizard(data, "in.csv", error_policy="stop")
        wizard.action_import()
        self.assertIn("Stopped at line 3", wizard.report)
        self.assertIn("[negative_consumption]", wizard.report)
        self.assertEqual(self._values(self.meter_a1), [100])
        self.assertEqual(self._values(self.meter_a2), [])
        skip = self._wizard(data, "in.csv", error_policy="skip")
        skip.action_import()
        self.assertEqual((skip.created_count, skip.duplicate_count), (1, 1))
        self.assertEqual(self._values(self.meter_a2), [5])

    def test_staff_of_site_a_cannot_import_into_site_b(self):
        data = csv(
            "EL-A1,T1,2025-01-31 22:00:00,100", "EL-B1,T1,2025-01-31 22:00:00,100"
        )
        wizard = self._wizard(data, "in.csv", user=self.reader)
        wizard.action_import()
        self.assertEqual((wizard.created_count, wizard.error_count), (1, 1))
        self.assertIn("line 3 [unknown_meter] meter EL-B1", wizard.report)
        self.assertEqual(self._values(self.meter_b1), [])
        # A scope narrower than the user's sites is enforced as well.
        scoped = self._wizard(
            csv("HW-A2,T1,2025-01-31 22:00:00,1", "EL-B1,T1,2025-01-31 22:00:00,1"),
            "in.csv",
            building_id=self.building_b.id,
        )
        scoped.action_import()
        self.assertEqual((scoped.created_count, scoped.error_count), (1, 1))
        self.assertIn("meter HW-A2", scoped.report)

    def test_hostile_and_broken_files_are_refused(self):
        xxe = (
            b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM '
            b'"file:///etc/passwd">]>\n<readings ' + NS.encode() + b">"
            b'<reading meter="&x;" read_at="2025-01-01" value="1"/></readings>'
        )
        truncated_xlsx = self.env["meter.reading.exchange"]._export(
            "xlsx", self.company
        )[:300]
        cases = [
            (xxe, "x.xml", "x.xml: a DOCTYPE or ENTITY declaration is not allowed"),
            (xml(("EL-A1", "2025-01-31", "1"))[:-15], "t.xml", "t.xml, line 3: not"),
            (truncated_xlsx, "t.xlsx", "t.xlsx: not a valid .xlsx file"),
            (b"x", "t.pdf", "t.pdf: unknown file type"),
        ]
        for data, filename, message in cases:
            with self.subTest(filename=filename):
                wizard = self._wizard(data, filename)
                with self.assertRaisesRegex(UserError, message.replace(".", r"\.")):
                    wizard.action_check()
        self.assertEqual(self._values(self.meter_a1), [])

    def test_export_round_trip_per_scope(self):
        self._reading(self.meter_a1, "2025-01-31 22:00:00", 100)
        self._reading(self.meter_a1, "2025-02-28 22:00:00", 120)
        self._reading(self.meter_b1, "2025-02-28 22:00:00", 7)
        self.meter_a1.name = "=HYPERLINK(1)"
        Exchange = self.env["meter.reading.exchange"]
        data = Exchange._export("xml", self.site_a)
        rows, errors = parse_readings_xml(data, "out.xml")
        self.assertFalse(errors)
        self.assertEqual([r.value for r in rows], [100, 120])
        self.assertTrue(rows[0].meter_id.startswith("__export__.meter_meter_"))
        xlsx = Exchange._export("xlsx", self.building_b)
        rows, errors = parse_readings_rows(xlsx, "out.xlsx")
        self.assertEqual([(r.meter, r.value) for r in rows], [("EL-B1", 7)])
        company = Exchange._export("xlsx", self.company)
        with zipfile.ZipFile(io.BytesIO(company)) as archive:
            sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        self.assertNotIn("<f>", sheet)
        rows, _errors = parse_readings_rows(company, "out.xlsx")
        self.assertEqual(len(rows), 3)
        self.assertIn("'=HYPERLINK(1)", {r.meter for r in rows})
        # Re-importing an export keyed by external ids: everything is a replay.
        result = Exchange._import_file(data, "out.xml")
        self.assertEqual((result["created"], result["duplicates"]), (0, 2))

    def test_times_without_offset_on_the_site_clock(self):
        self.site_a.tz = "Europe/Zurich"
        data = csv(
            "EL-A1,T1,2025-01-31 00:00:00,100",  # midnight in Zurich
            "EL-A1,T1,2025-02-28T23:00:00Z,120",  # an offset wins
            "EL-A1,T1,2025-07-31 00:00:00,150",  # summer time
        )
        wizard = self._wizard(data, "in.csv", times="site")
        wizard.action_import()
        self.assertEqual(wizard.created_count, 3, wizard.report)
        readings = self.meter_a1.reading_ids.sorted("read_at")
        self.assertEqual(
            [str(r.read_at) for r in readings],
            ["2025-01-30 23:00:00", "2025-02-28 23:00:00", "2025-07-30 22:00:00"],
        )
        # Read as UTC (the default), the same file is another set of instants.
        utc = self._wizard(data, "in.csv")
        utc.action_check()
        self.assertEqual((utc.created_count, utc.duplicate_count), (2, 1))

    def test_import_wizard_form(self):
        # The binary widget sets the file name (invisible in the form).
        Wizard = self.env["meter.reading.import"].with_context(
            default_filename="in.csv"
        )
        form = Form(Wizard)
        form.file = base64.b64encode(csv("EL-A1,T1,2025-01-31 22:00:00,7"))
        form.site_id = self.site_a
        form.error_policy = "stop"
        wizard = form.save()
        wizard.action_check()
        self.assertEqual((wizard.state, wizard.created_count), ("checked", 1))
        wizard.action_import()
        self.assertEqual(self._values(self.meter_a1), [7])

    @freeze_time("2026-03-20 12:00:00")
    def test_export_wizard(self):
        """The file is named after the site's code and the instant of the
        export (frozen at 2026-03-20 12:00 UTC)."""
        self._reading(self.meter_a1, "2025-01-31 22:00:00", 100)
        form = Form(self.env["meter.reading.export"])
        form.file_format = "xml"
        form.site_id = self.site_a
        wizard = form.save()
        wizard.action_export()
        self.assertTrue(wizard.filename.startswith("readings_SA_"))
        self.assertEqual(wizard.filename, "readings_SA_20260320-120000.xml")
        rows, _errors = parse_readings_xml(base64.b64decode(wizard.file), "x.xml")
        self.assertEqual([r.meter for r in rows], ["EL-A1"])

    def test_staff_export_only_their_sites(self):
        self._reading(self.meter_a1, "2025-01-31 22:00:00", 100)
        self._reading(self.meter_b1, "2025-01-31 22:00:00", 5)
        Exchange = self.env["meter.reading.exchange"].with_user(self.reader)
        rows, _errors = parse_readings_xml(Exchange._export("xml", self.company), "x")
        self.assertEqual([r.meter for r in rows], ["EL-A1"])
        with self.assertRaises(AccessError):
            Exchange._export("xml", self.site_b.with_user(self.reader))

    def test_exchange_job_access_per_role(self):
        job = self.env["meter.exchange.job"].create(
            {"name": "Nightly", "host": "127.0.0.1", "password": "p"}
        )
        with self.assertRaises(AccessError):
            job.with_user(self.reader).read(["name"])
        self.assertEqual(
            job.with_user(self.technician).read(["name"])[0]["name"], "Nightly"
        )
        with self.assertRaises(AccessError):
            job.with_user(self.technician).write({"host": "evil.example.com"})
        with self.assertRaises(AccessError):
            job.with_user(self.technician).read(["password"])
        manager_job = (
            self.env["meter.exchange.job"]
            .with_user(self.manager)
            .create({"name": "Mine", "host": "ftp.example.com"})
        )
        self.assertEqual(manager_job.user_id, self.manager)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
