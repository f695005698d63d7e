# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import MeterPortalCommon


class MonthlyNoticeFixture:
    """Building S (site tz UTC, hot water at 55 °C), every unit flagged and
    occupied since 2025-01-01; meters read at month starts.

    - S1 (60 m², X, access by e-mail, German): heat 1,000 / 1,100 / 1,190
      on 2026-01-01 / 02-01 / 03-01, so February 90 kWh and January 100;
      hot water 10 / 12.4 / 14.4 m³, so February 2.0 m³ and January 2.4.
    - S2 (40 m², Y, no portal access: a letter): heat 500 / 610 on 02-01 /
      03-01, February 110.
    - S3 (no area, Z, access "portal only"): heat 0 / 50, February 50.
    """

    @classmethod
    def _setup_notice_fixture(cls):
        env = cls.env
        env["res.lang"]._activate_lang("de_DE")
        building = env["meter.building"].create(
            {
                "name": "Building S",
                "site_id": cls.site.id,
                "hot_water_temperature": 55,
            }
        )
        cls.s1, cls.s2, cls.s3 = env["meter.unit"].create(
            [
                {
                    "name": name,
                    "building_id": building.id,
                    "consumption_info_required": True,
                }
                for name in ("S1", "S2", "S3")
            ]
        )
        env["meter.unit.basis"].create(
            [
                {"unit_id": unit.id, "kind": "area", "value": area}
                | {"date_from": "2025-01-01"}
                for unit, area in ((cls.s1, 60), (cls.s2, 40))
            ]
        )
        cls.x, cls.y, cls.z = env["res.partner"].create(
            [
                {"name": "Occupant X", "email": "x@example.com", "lang": "de_DE"},
                {"name": "Occupant Y", "street": "Postweg 1", "city": "Köln"},
                {"name": "Occupant Z", "email": "z@example.com"},
            ]
        )
        cls.occ_x, cls.occ_y, cls.occ_z = env["meter.occupancy"].create(
            [
                {"unit_id": unit.id, "partner_id": partner.id}
                | {"date_start": "2025-01-01"}
                for unit, partner in ((cls.s1, cls.x), (cls.s2, cls.y), (cls.s3, cls.z))
            ]
        )
        env["meter.portal.access"].create(
            [
                {"occupancy_id": cls.occ_x.id, "info_channel": "email"},
                {"occupancy_id": cls.occ_z.id, "info_channel": "portal"},
            ]
        )
        Meter = env["meter.meter"]
        heat = {
            unit: Meter.create(
                {
                    "name": f"HEAT-{unit.name}",
                    "unit_id": unit.id,
                    "resource_id": cls.heat.id,
                }
            )
            for unit in (cls.s1, cls.s2, cls.s3)
        }
        water = Meter.create(
            {"name": "HW-S1", "unit_id": cls.s1.id, "resource_id": cls.hot_water.id}
        )
        env["meter.reading"].create(
            [
                {"meter_id": meter.id, "read_at": f"{day} 00:00:00", "value": value}
                for meter, day, value in (
                    (heat[cls.s1], "2026-01-01", 1000),
                    (heat[cls.s1], "2026-02-01", 1100),
                    (heat[cls.s1], "2026-03-01", 1190),
                    (heat[cls.s2], "2026-02-01", 500),
                    (heat[cls.s2], "2026-03-01", 610),
                    (heat[cls.s3], "2026-02-01", 0),
                    (heat[cls.s3], "2026-03-01", 50),
                    (water, "2026-01-01", 10),
                    (water, "2026-02-01", 12.4),
                    (water, "2026-03-01", 14.4),
                )
            ]
        )

    def _run_monthly_job(self):
        """The monthly cron on 2026-03-05 (February ended); the test cannot
        commit, the batches' progress is not committed."""
        with (
            freeze_time("2026-03-05 03:00:00"),
            patch.object(
                self.registry["ir.cron"], "_commit_progress", lambda *a, **k: 60.0
            ),
        ):
            self.env["meter.portal.monthly.info"]._cron_build_monthly_info()

    def _notice(self, occupancy):
        return self.env["meter.portal.monthly.notice"].search(
            [("occupancy_id", "=", occupancy.id)]
        )


@tagged("post_install", "-at_install")
class TestPortalMonthlyNotice(MonthlyNoticeFixture, MeterPortalCommon):
    """HeizKV §6a (RULES 1.4): the monthly information in kWh, compared
    with a normed average user, delivered once by the occupant's channel."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_notice_fixture()

    def test_figures_in_kwh_against_the_normed_user(self):
        """Heat, S1: (90 - 100) / 100 = -10 % to January; normed user =
        (90 + 110) / (60 + 40) m² = 2 kWh/m², x 60 = 120 kWh (S3 has no
        area: out of both sums); (90 - 120) / 120 = -25 %. S2: 2 x 40 = 80;
        (110 - 80) / 80 = +37.5 -> +38 %. S3: no
        normed user. Hot water, S1 at 55 °C: 2.5 x 2.0 x (55 - 10) = 225 kWh;
        January 2.5 x 2.4 x 45 = 270 kWh, (2.0 - 2.4) / 2.4 = -16.7 -> -17 %;
        the only hot-water unit is its own normed user: 2.0 / 60 x 60 = 2.0
        m³ = 225 kWh, 0 %. The plain building average of heat stays
        (90 + 110 + 50) / 3 = 83.333."""
        self._run_monthly_job()
        Info = self.env["meter.portal.monthly.info"]
        infos = Info.search([("unit_id", "in", (self.s1 | self.s2 | self.s3).ids)])
        self.assertRecordValues(
            infos.sorted(lambda i: (i.unit_id.name, i.resource_id.sequence)),
            [
                {
                    "unit_id": self.s1.id,
                    "resource_id": self.heat.id,
                    "consumption": 90.0,
                    "consumption_kwh": 90.0,
                    "previous_month_kwh": 100.0,
                    "change_previous": -10,
                    "normed_average": 120.0,
                    "normed_average_kwh": 120.0,
                    "change_normed": -25,
                    "building_average": 83.333,
                    "hot_water_temperature": 0.0,
                },
                {
                    "unit_id": self.s1.id,
                    "resource_id": self.hot_water.id,
                    "consumption": 2.0,
                    "consumption_kwh": 225.0,
                    "previous_month_kwh": 270.0,
                    "change_previous": -17,
                    "normed_average": 2.0,
                    "normed_average_kwh": 225.0,
                    "change_normed": 0,
                    "building_average": 2.0,
                    "hot_water_temperature": 55.0,
                },
                {
                    "unit_id": self.s2.id,
                    "resource_id": self.heat.id,
                    "consumption": 110.0,
                    "consumption_kwh": 110.0,
                    "previous_month_kwh": 0.0,
                    "change_previous": 0,
                    "normed_average": 80.0,
                    "normed_average_kwh": 80.0,
                    "change_normed": 38,
                    "building_average": 83.333,
                    "hot_water_temperature": 0.0,
                },
                {
                    "unit_id": self.s3.id,
                    "resource_id": self.heat.id,
                    "consumption": 50.0,
                    "consumption_kwh": 50.0,
                    "previous_month_kwh": 0.0,
                    "change_previous": 0,
                    "normed_average": 0.0,
                    "normed_average_kwh": 0.0,
                    "change_normed": 0,
                    "building_average": 83.333,
                    "hot_water_temperature": 0.0,
                },
            ],
        )

    def test_delivery_by_channel_once(self):
        """X (e-mail, German): one queued mail with the PDF, subject with the
        German month; Y (no access): a letter to print; Z (portal only):
        nothing sent. A second run of the job sends nothing twice."""
        mails_before = self.env["mail.mail"].search([])
        self._run_monthly_job()
        notice_x, notice_y, notice_z = (
            self._notice(o) for o in (self.occ_x, self.occ_y, self.occ_z)
        )
        self.assertRecordValues(
            notice_x | notice_y | notice_z,
            [
                {"channel": "email", "state": "queued", "email": "x@example.com"},
                {"channel": "post", "state": "to_print", "email": False},
                {"channel": "portal", "state": "portal", "email": False},
            ],
        )
        self.assertEqual(len(notice_x.info_ids), 2)
        mails = self.env["mail.mail"].search([]) - mails_before
        self.assertEqual(mails, notice_x.mail_id)
        self.assertEqual(mails.state, "outgoing")
        self.assertIn(
            "x@example.com", [mails.email_to, *mails.recipient_ids.mapped("email")]
        )
        self.assertEqual(mails.subject, "Your consumption information for Februar 2026")
        self.assertIn("225.0 kWh", mails.body_html)
        self.assertEqual(len(mails.attachment_ids), 1)
        # Odoo's test mode renders reports as HTML instead of PDF.
        self.assertRegex(
            mails.attachment_ids.name,
            r"^Consumption information S1 2026-02\.(pdf|html)$",
        )

        self._run_monthly_job()
        self.assertEqual(self.env["mail.mail"].search([]) - mails_before, mails)
        self.assertEqual(
            self.env["meter.portal.monthly.notice"].search_count(
                [("unit_id", "in", (self.s1 | self.s2 | self.s3).ids)]
            ),
            3,
        )

    def test_letters_to_print_one_pdf(self):
        """Staff download every waiting letter as one document; the letters
        become printed and the next download has nothing left."""
        self._run_monthly_job()
        notice_y = self._notice(self.occ_y)
        Notice = self.env["meter.portal.monthly.notice"]
        report = self.env.ref("meter_portal.action_report_monthly_information")
        html, _kind = report._render_qweb_html(report.id, notice_y.ids)
        html = html.decode()
        for text in (
            "Occupant Y",
            "Your consumption information for",
            "February 2026",
            "S2",
            "Normed average user",
            "(+38 %)",
            "Q = 2.5 kWh/(m³·K) x V x (t - 10 °C)",
            "This information is not a bill.",
        ):
            self.assertIn(text, html)
        action = Notice.action_print_letters()
        attachment_id = int(re.search(r"/web/content/(\d+)", action["url"]).group(1))
        self.assertTrue(self.env["ir.attachment"].browse(attachment_id).raw)
        self.assertEqual(notice_y.state, "printed")
        with self.assertRaisesRegex(UserError, "waits to be printed"):
            Notice.action_print_letters()
