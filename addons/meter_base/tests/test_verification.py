# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date
from unittest.mock import patch

from odoo.tests import freeze_time, tagged

from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
class TestVerification(MeterBaseCommon):
    def _meters(self):
        Meter = self.env["meter.meter"]
        common = {"unit_id": self.unit_a1.id, "resource_id": self.hot_water.id}
        return {
            "next": Meter.create(
                {**common, "name": "NEXT", "next_verification_date": "2026-05-09"}
            ),
            "last": Meter.create(
                {
                    **common,
                    "name": "LAST",
                    "last_verification_date": "2022-05-01",
                    "verification_interval_years": 4,
                }
            ),
            "commissioning": Meter.create(
                {
                    **common,
                    "name": "COMM",
                    "commissioning_date": "2019-01-01",
                    "verification_interval_years": 6,
                }
            ),
            "valid": Meter.create(
                {**common, "name": "VALID", "next_verification_date": "2027-01-01"}
            ),
            "missing": Meter.create({**common, "name": "NODATA"}),
            "interval_only": Meter.create(
                {**common, "name": "INTERVAL", "verification_interval_years": 6}
            ),
        }

    def test_nightly_check_in_the_seed_order(self):
        meters = self._meters()
        # stored next dates are derived from last/commissioning + interval;
        # drop them to test the later rules of the order
        meters["last"].next_verification_date = False
        meters["commissioning"].next_verification_date = False
        changed = (
            self.env["meter.meter"]
            .browse([m.id for m in meters.values()])
            ._check_verification(date(2026, 5, 10))
        )
        self.assertEqual(
            changed, meters["next"] | meters["last"] | meters["commissioning"]
        )
        expected = {
            "next": "next verification date 2026-05-09",
            "last": "last verification + interval = 2026-05-01",
            "commissioning": "commissioning + interval = 2025-01-01",
        }
        for key, rule in expected.items():
            meter = meters[key]
            self.assertEqual(meter.status, "verification")
            self.assertTrue(meter.verification_auto)
            bodies = meter.message_ids.mapped("body")
            self.assertTrue(
                any(rule in body and "put in verification" in body for body in bodies),
                f"{key}: {bodies}",
            )
        for key in ("valid", "missing", "interval_only"):
            self.assertEqual(meters[key].status, "active", key)

    def test_back_in_service_only_when_set_by_the_check(self):
        meters = self._meters()
        meter, manual = meters["next"], meters["valid"]
        manual.action_set_verification()
        meters["next"]._check_verification(date(2026, 5, 10))
        self.assertEqual(meter.status, "verification")
        meter.last_verification_date = "2026-05-10"
        meter.next_verification_date = "2030-05-10"
        (meter | manual)._check_verification(date(2026, 5, 11))
        self.assertEqual(meter.status, "active")
        self.assertFalse(meter.verification_auto)
        self.assertTrue(
            any("back in service" in body for body in meter.message_ids.mapped("body"))
        )
        self.assertEqual(manual.status, "verification", "set by hand: kept")

    @freeze_time("2026-05-10 12:00:00")
    def test_cron_runs_in_batches(self):
        """The nightly check decides on today, frozen at 2026-05-10: VALID
        (next verification 2027-01-01) and NODATA (no date) stay active, NEXT
        (2026-05-09) goes in verification."""
        meters = self._meters()
        cron = self.env.ref("meter_base.ir_cron_meter_check_verification")
        calls = []

        def progress(self_, processed=0, *, remaining=None, deactivate=False):
            calls.append((processed, remaining))
            return 1.0

        with patch.object(self.registry["ir.cron"], "_commit_progress", progress):
            self.env["meter.meter"]._cron_check_verification(batch_size=2)
        self.assertEqual(cron.code, "model._cron_check_verification()")
        self.assertEqual(calls[0][0], 0)
        self.assertGreaterEqual(calls[0][1], len(meters))
        self.assertTrue(all(processed <= 2 for processed, _r in calls[1:]))
        self.assertEqual(meters["valid"].status, "active")
        self.assertEqual(meters["missing"].status, "active")
        self.assertEqual(meters["next"].status, "verification")

    def test_lists_highlight_due_and_overdue(self):
        view = self.env.ref("meter_base.meter_meter_view_list")
        self.assertIn("decoration-danger=\"verification_due == 'overdue'\"", view.arch)
        self.assertIn("decoration-warning=\"verification_due == 'soon'\"", view.arch)
