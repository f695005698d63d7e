# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import tempfile
import threading
import warnings
from datetime import datetime
from pathlib import Path
from unittest.mock import patch

from meterkit.exchange import parse_readings_xml

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import MeterBaseCommon

with warnings.catch_warnings():
    # pyftpdlib still imports asyncore/asynchat (deprecated in Python 3.11).
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import ThreadedFTPServer

NS = 'xmlns="urn:meter-suite:readings:1"'


NOW = datetime(2026, 3, 20, 12, 0)


@tagged("post_install", "-at_install")
class TestMeterExchangeJob(MeterBaseCommon):
    """Exchange jobs against a real FTP server on 127.0.0.1 (pyftpdlib)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = Path(cls.enterClassContext(tempfile.TemporaryDirectory()))
        authorizer = DummyAuthorizer()
        authorizer.add_user("meter", "secret", str(cls.root), perm="elradfmw")
        handler = type("Handler", (FTPHandler,), {"authorizer": authorizer})
        handler.log_prefix = ""
        cls.ftpd = ThreadedFTPServer(("127.0.0.1", 0), handler)
        cls.thread = threading.Thread(
            target=cls.ftpd.serve_forever, kwargs={"timeout": 0.1}, daemon=True
        )
        cls.thread.start()
        cls.addClassCleanup(cls.thread.join, 5)
        cls.addClassCleanup(cls.ftpd.close_all)
        (cls.root / "in").mkdir()
        (cls.root / "out").mkdir()

    def _job(self, **vals):
        return self.env["meter.exchange.job"].create(
            {
                "name": "Test job",
                "protocol": "ftp",
                "host": "127.0.0.1",
                "port": self.ftpd.address[1],
                "username": "meter",
                "password": "secret",
                "timeout": 10,
                "tz": "UTC",
                **vals,
            }
        )

    def _clock(self, now=NOW):
        """Odoo's clock (``fields.Datetime.now``, which jobs are scheduled
        from) set to ``now``. Not freeze_time: it would also stop the clock of
        the FTP server's threads, whose connections then time out."""
        return patch.object(fields.Datetime, "now", return_value=now)

    def _write(self, name, body):
        path = self.root / "in" / name
        path.write_bytes(
            f'<?xml version="1.0"?>\n<readings {NS}>\n{body}\n</readings>\n'.encode()
        )
        return path

    def test_import_end_to_end_with_log_mail_and_delete(self):
        good = self._write(
            "a.xml",
            '<reading meter="EL-A1" read_at="2025-01-31T22:00:00Z" value="10"/>\n'
            '<reading meter="EL-A1" read_at="2025-02-28T22:00:00Z" value="15"/>\n'
            '<reading meter="EL-B1" read_at="2025-02-28T22:00:00Z" value="x"/>',
        )
        broken = self._write("b.xml", '<reading meter="EL-A1"')
        with self._clock():
            job = self._job(
                remote_paths="/in/*.xml",
                delete_after_read=True,
                report_email="ops@example.com",
            )
            logs = job._run()
        self.assertEqual(logs.mapped("filename"), ["/in/a.xml", "/in/b.xml"])
        self.assertEqual(logs.mapped("status"), ["partial", "failed"])
        self.assertEqual(logs[0].created_count, 2)
        self.assertIn("line 5 [not_parsable]", logs[0].message)
        self.assertIn(
            "/in/b.xml, line 4: not well-formed XML or truncated", logs[1].message
        )
        self.assertEqual(self.meter_a1.reading_ids.mapped("value"), [15, 10])
        self.assertFalse(good.exists(), "read without a file error: deleted")
        self.assertTrue(broken.exists(), "a broken file is kept")
        mail = self.env["mail.mail"].search([("email_to", "=", "ops@example.com")])
        self.assertEqual(len(mail), 1)
        self.assertIn("/in/b.xml", str(mail.body_html))
        self.assertTrue(job.last_run_at)
        self.assertGreater(job.next_run_at, job.last_run_at)
        # run at the frozen now; next at 02:00 UTC (the default schedule)
        self.assertEqual(job.last_run_at, datetime(2026, 3, 20, 12))
        self.assertEqual(job.next_run_at, datetime(2026, 3, 21, 2))

    def test_stop_policy_runs_as_owner(self):
        self._write(
            "c.xml",
            '<reading meter="EL-A1" read_at="2025-01-31T22:00:00Z" value="10"/>\n'
            '<reading meter="EL-B1" read_at="2025-01-31T22:00:00Z" value="1"/>\n'
            '<reading meter="HW-A2" read_at="2025-01-31T22:00:00Z" value="1"/>',
        )
        later = self._write(
            "d.xml",
            '<reading meter="HW-A2" read_at="2025-02-28T22:00:00Z" value="1"/>',
        )
        job = self._job(
            remote_paths="/in/c.xml\n/in/d.xml",
            error_policy="stop",
            delete_after_read=True,
            user_id=self.reader.id,
        )
        log = job._run()
        self.assertEqual(log.status, "partial")
        self.assertIn("line 4 [unknown_meter] meter EL-B1", log.message)
        self.assertIn("Stopped at line 4", log.message)
        self.assertEqual(self.meter_a1.reading_ids.mapped("value"), [10])
        self.assertFalse(self.meter_a2.reading_ids)
        self.assertTrue((self.root / "in" / "c.xml").exists())
        # The run stops there: the next file is left for the next run.
        self.assertIn("1 more file(s) left on the server", log.message)
        self.assertTrue(later.exists())

    def test_export_end_to_end(self):
        self._reading(self.meter_a1, "2025-01-31 22:00:00", 100)
        self._reading(self.meter_b1, "2025-01-31 22:00:00", 5)
        job = self._job(
            direction="export",
            remote_paths="/out",
            site_id=self.site_a.id,
            filename_template="readings_{entity}_{entity_id}_{date}",
            export_days=0,
        )
        with self._clock(datetime(2025, 3, 1, 2, 0)):
            log = job._run()
        self.assertEqual(log.status, "done", log.message)
        self.assertEqual(
            log.filename, f"/out/readings_SA_{self.site_a.id}_20250301.xml"
        )
        data = (
            self.root / "out" / f"readings_SA_{self.site_a.id}_20250301.xml"
        ).read_bytes()
        rows, errors = parse_readings_xml(data, "x.xml")
        self.assertEqual([(r.meter, r.value) for r in rows], [("EL-A1", 100)])
        self.assertFalse(errors)

    def test_endpoint_of_an_ftps_job(self):
        job = self._job(protocol="ftps", tls_verify=False, timeout=7)
        endpoint = job._endpoint()
        self.assertEqual(
            (endpoint.tls, endpoint.verify, endpoint.timeout, endpoint.password),
            (True, False, 7, "secret"),
        )
        # A plain FTP server refuses AUTH TLS: the run is logged as failed.
        log = job._run()
        self.assertEqual(log.status, "failed")
        self.assertIn("ftps://meter@127.0.0.1", log.message)

    def test_unreachable_server_is_logged(self):
        job = self._job(password="wrong", remote_paths="/in")
        log = job._run()
        self.assertEqual(log.status, "failed")
        self.assertIn("cannot connect or log in", log.message)

    def test_schedule_and_due_jobs(self):
        with self.assertRefused(ValidationError, "cron field hour '25'"):
            self._job(cron_hour="25")
        with self.assertRefused(ValidationError, "unknown placeholder"):
            self._job(filename_template="{nope}")
        with self._clock():
            job = self._job(
                cron_minute="*/15", cron_hour="8-9", remote_paths="/in/none*"
            )
            job.next_run_at = "2000-01-01 00:00:00"
            self.env["meter.exchange.job"]._cron_run_due()
        self.assertEqual(job.log_ids.status, "done")
        self.assertIn("No file found", job.log_ids.message)
        self.assertIn(job.next_run_at.hour, (8, 9))
        self.assertEqual(job.next_run_at.minute % 15, 0)
        # run at 12:00: the first quarter of 08:00-09:59 after it is tomorrow's
        self.assertEqual(job.next_run_at, datetime(2026, 3, 21, 8))
        # The fields are read on the job's wall clock: 02:00 in Zurich is
        # 01:00 UTC in winter, 00:00 UTC in summer.
        zurich = self._job(cron_minute="0", cron_hour="2", tz="Europe/Zurich")
        self.assertEqual(
            zurich._next_run(datetime(2026, 1, 14, 12)), datetime(2026, 1, 15, 1)
        )
        self.assertEqual(
            zurich._next_run(datetime(2026, 7, 14, 12)), datetime(2026, 7, 15, 0)
        )

    def test_a_broken_job_does_not_block_the_others(self):
        """An unexpected error in one job is logged as failed, moves that job
        to its next run, and the jobs after it still run."""
        broken = self._job(remote_paths="/in/none*")
        healthy = self._job(remote_paths="/in/none*")
        (broken | healthy).next_run_at = "2000-01-01 00:00:00"
        Job = type(self.env["meter.exchange.job"])
        original = Job._run

        def run(job):
            if job == broken:
                raise ZeroDivisionError("injected fault")
            return original(job)

        logger = "odoo.addons.meter_base.models.meter_exchange_job"
        with (
            self._clock(),
            patch.object(Job, "_run", run),
            self.assertLogs(logger, "ERROR"),
        ):
            self.env["meter.exchange.job"]._cron_run_due()
        self.assertEqual(broken.log_ids.status, "failed")
        self.assertIn("ZeroDivisionError: injected fault", broken.log_ids.message)
        self.assertGreater(broken.next_run_at, NOW)
        self.assertEqual(healthy.log_ids.status, "done")
        self.assertGreater(healthy.next_run_at, NOW)
        self.assertEqual(broken.next_run_at, datetime(2026, 3, 21, 2))

    def test_staff_see_the_jobs_and_logs_of_their_sites_only(self):
        """Logs name the meters and rows of the job's scope: a technician sees
        company-wide jobs and those of a site or building of theirs, not those
        of other sites; managers see them all."""
        jobs = self._job(name="A", site_id=self.site_a.id)
        jobs |= self._job(name="Building A", building_id=self.building_a.id)
        jobs |= self._job(name="B", site_id=self.site_b.id)
        jobs |= self._job(name="Company")
        logs = self.env["meter.exchange.log"].create(
            [{"job_id": job.id, "kind": "import", "status": "done"} for job in jobs]
        )
        Job = self.env["meter.exchange.job"]
        Log = self.env["meter.exchange.log"]
        self.assertEqual(
            Job.with_user(self.technician).search([("id", "in", jobs.ids)]),
            jobs - jobs[2],
        )
        self.assertEqual(
            Log.with_user(self.technician).search([("id", "in", logs.ids)]),
            logs - logs[2],
        )
        self.assertEqual(
            Job.with_user(self.manager).search([("id", "in", jobs.ids)]), jobs
        )
        self.assertEqual(
            Log.with_user(self.manager).search([("id", "in", logs.ids)]), logs
        )
