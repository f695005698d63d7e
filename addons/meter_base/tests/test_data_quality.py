# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-20 12:00:00")
class TestDataQuality(MeterBaseCommon):
    """The check reads the clock (its history window and "last month" end at
    today): every test runs on a frozen today, 2026-03-20, and its readings are
    dated relative to it."""

    def _codes(self, site):
        issues = self.env["meter.reading.issue"].search([("site_id", "=", site.id)])
        return sorted(set(issues.mapped("code"))), issues

    def test_catalogue_on_a_site(self):
        """Today 2026-03-20: EL-A1 read on 2025-07-20 (100, no previous),
        2025-08-20 (100, equal), 2025-12-20 (300, 122 days after: the one gap
        above 40 days), 2026-01-20 (900, 600 above the limit of 500) and
        2026-02-21 (1000, 32 days after: no gap). Last month (February) the
        main meter counts 1000 - 0 = 1000 against 1000 - 900 = 100 below it."""
        today = fields.Date.context_today(self.env["meter.meter"])
        last_month = today.replace(day=1) - relativedelta(months=1)
        self.env["meter.rule"].create(
            {
                "building_id": self.building_a.id,
                "resource_id": self.electricity.id,
                "max_gap_days": 40,
                "consumption_max": 500,
                "anomaly_factor": 0,
            }
        )
        # EL-A1: first reading without previous, equal readings, a long gap,
        # a consumption above the limit
        start = today - relativedelta(months=8)
        for offset, value in ((0, 100), (1, 100), (5, 300), (6, 900)):
            self._reading(
                self.meter_a1,
                fields.Datetime.to_string(start + relativedelta(months=offset)),
                value,
            )
        # a main meter far above its sub-meter last month
        main = self._main_meter_above(self.meter_a1)
        self._reading(main, f"{last_month} 01:00:00", 0, is_opening=True)
        self._reading(main, f"{last_month + relativedelta(days=20)} 01:00:00", 1000)
        self._reading(
            self.meter_a1, f"{last_month + relativedelta(days=20)} 01:00:00", 1000
        )
        self.site_a.action_check_data_quality()
        codes, issues = self._codes(self.site_a)
        for code in (
            "missing_previous",
            "equal_readings",
            "gap_too_long",
            "above_limit",
            "balance_mismatch",
        ):
            self.assertIn(code, codes)
        gap = issues.filtered(lambda i: i.code == "gap_too_long")
        self.assertEqual(gap.meter_id, self.meter_a1)
        self.assertTrue(gap.reading_id)
        self.assertIn("EL-A1", gap.message)
        self.assertEqual(self.site_a.issue_count, len(issues))
        # grouped by code in the per-site view
        action = self.site_a.action_open_issues()
        self.assertEqual(action["context"], {"search_default_group_code": 1})
        groups = self.env["meter.reading.issue"]._read_group(
            action["domain"], ["code"], ["__count"]
        )
        self.assertEqual(sum(count for _code, count in groups), len(issues))
        # a new check replaces the findings, it does not add to them
        self.site_a.action_check_data_quality()
        self.assertEqual(self._codes(self.site_a)[1].ids.__len__(), len(issues))

    def test_replacement_without_closing_and_unconfirmed_spike(self):
        old = self.meter_a2
        new = self.env["meter.meter"].create(
            {
                "name": "HW-A2-NEW",
                "unit_id": self.unit_a2.id,
                "resource_id": self.hot_water.id,
            }
        )
        old.write({"successor_id": new.id})
        new.write({"predecessor_id": old.id})
        # a spike stored by an import (no confirmation on the bulk path)
        today = fields.Date.context_today(self.env["meter.meter"])
        rows = [
            (new.id, "T1", f"{today - relativedelta(months=m)} 00:00:00", value)
            for m, value in ((5, 10), (4, 20), (3, 30), (2, 40), (1, 200))
        ]
        self.env["meter.reading"]._bulk_ingest(rows)
        self.site_a.action_check_data_quality()
        codes, issues = self._codes(self.site_a)
        self.assertIn("replacement_without_closing", codes)
        self.assertIn("consumption_spike", codes)
        spike = issues.filtered(lambda i: i.code == "consumption_spike")
        self.assertEqual(spike.reading_id.value, 200)

    def test_clean_site_has_no_issue(self):
        self._reading(self.meter_b1, "2025-01-01 00:00:00", 0, is_opening=True)
        self.site_b.action_check_data_quality()
        self.assertEqual(self.site_b.issue_count, 0)

    def test_cron_and_access(self):
        today = fields.Date.context_today(self.env["meter.meter"])
        self._reading(self.meter_a1, today - relativedelta(months=1), 5)
        self._reading(self.meter_b1, today - relativedelta(months=1), 5)
        with patch.object(
            self.registry["ir.cron"], "_commit_progress", lambda *a, **kw: 1.0
        ):
            self.env["meter.reading.issue"]._cron_check_data_quality()
        Issue = self.env["meter.reading.issue"]
        self.assertTrue(Issue.search([("site_id", "=", self.site_b.id)]))
        # staff see the issues of their sites only; readers cannot run the check
        self.assertEqual(Issue.with_user(self.reader).search([]).site_id, self.site_a)
        with self.assertRaises(AccessError):
            self.site_a.with_user(self.reader).action_check_data_quality()
        self.site_a.with_user(self.technician).action_check_data_quality()
        # on a portfolio group: every site below it
        self.group.action_check_data_quality()
        self.assertTrue(Issue.search([("site_id", "=", self.site_a.id)]))
        with self.assertRaises(AccessError):
            self.site_b.with_user(self.technician).action_check_data_quality()

    def test_codes_are_stable(self):
        selection = dict(self.env["meter.reading.issue"]._fields["code"].selection)
        for code in (
            "missing_previous",
            "negative_consumption",
            "equal_readings",
            "gap_too_long",
            "replacement_without_closing",
            "above_limit",
            "below_limit",
            "balance_mismatch",
        ):
            self.assertIn(code, selection)

    def test_cron_checks_each_site_in_its_company(self):
        """The nightly check runs each site in the site's own company, so that
        what depends on the current company (defaults, company-dependent
        values) is the site's."""
        Issue = type(self.env["meter.reading.issue"])
        original = Issue._check_sites
        seen = {}

        def check_sites(issue, sites):
            seen[sites] = issue.env.company
            return original(issue, sites)

        with (
            patch.object(
                self.registry["ir.cron"], "_commit_progress", lambda *a, **kw: 1.0
            ),
            patch.object(Issue, "_check_sites", check_sites),
        ):
            self.env["meter.reading.issue"]._cron_check_data_quality()
        self.assertEqual(seen[self.site_c], self.company2)
        self.assertEqual(seen[self.site_a], self.site_a.company_id)
