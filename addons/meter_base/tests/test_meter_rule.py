# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
class TestMeterRule(MeterBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["meter.rule"]
        cls.building_a2 = cls.env["meter.building"].create(
            {"name": "Building A2", "site_id": cls.site_a.id}
        )
        cls.service = cls.env["product.product"].create(
            {"name": "Electricity meter verification", "type": "service"}
        )

    def _group_rule(self, **vals):
        return self.Rule.create(
            {
                "site_id": self.group.id,
                "resource_id": self.electricity.id,
                "window_first_day": 15,
                "window_last_day": 25,
                "integers_only": True,
                "verification_product_id": self.service.id,
                **vals,
            }
        )

    def _building_rule(self, building, resource=None):
        return self.Rule.search(
            [
                ("building_id", "=", building.id),
                ("resource_id", "=", (resource or self.electricity).id),
            ]
        )

    def test_levels_and_names(self):
        rule = self._group_rule()
        self.assertEqual(rule.level, "group")
        self.assertEqual(rule.name, f"R-{rule.id}")
        self.assertEqual(rule.state, "draft")
        site_rule = self.Rule.create(
            {"site_id": self.site_a.id, "resource_id": self.heat.id}
        )
        self.assertEqual(site_rule.level, "site")
        building_rule = self.Rule.create(
            {"building_id": self.building_a.id, "resource_id": self.heat.id}
        )
        self.assertEqual(building_rule.level, "building")
        with self.assertRefused(ValidationError, "already has a rule for Heat"):
            self.Rule.create(
                {"building_id": self.building_a.id, "resource_id": self.heat.id}
            )
        with self.assertRefused(ValidationError, "Window From"):
            self.Rule.create(
                {
                    "building_id": self.building_b.id,
                    "resource_id": self.heat.id,
                    "window_first_day": 32,
                    "window_last_day": 5,
                }
            )

    def test_draft_rule_reaches_nobody(self):
        self._group_rule()
        self.assertFalse(self._building_rule(self.building_a))
        self.assertFalse(self.meter_a1.effective_rule_id)
        self.assertIn("No rule", self.meter_a1.rule_summary)

    def test_apply_once_copies_now_only(self):
        rule = self._group_rule()
        rule.action_apply_once()
        self.assertEqual(rule.state, "applied")
        self.assertFalse(rule.persistent)
        copy = self._building_rule(self.building_a)
        self.assertEqual(copy.parent_rule_id, rule)
        self.assertEqual((copy.window_first_day, copy.window_last_day), (15, 25))
        self.assertTrue(copy.integers_only)
        self.assertEqual(copy.verification_product_id, self.service)
        # the site below the group gets a copy for its own meters too
        self.assertTrue(
            self.Rule.search(
                [("site_id", "=", self.site_a.id), ("parent_rule_id", "=", rule.id)]
            )
        )
        self.assertFalse(self._building_rule(self.building_b), "site B is elsewhere")
        self.assertEqual(self.meter_a1.effective_rule_id, copy)
        self.assertIn(
            f"Submission window: 15-25 (from Portfolio Group Portfolio, one-time "
            f"rule {rule.name})",
            self.meter_a1.rule_summary,
        )
        self.assertIn("Submission window: 15-25", self.building_a.rule_summary)
        # a building added later does not get a one-time rule
        late = self.env["meter.building"].create(
            {"name": "Late", "site_id": self.site_a.id}
        )
        self.assertFalse(self._building_rule(late))
        # the copies stay free to change, and then are the building's own
        copy.window_last_day = 28
        self.assertEqual(copy.window_last_day, 28)
        self.assertIn(f"set on Building Building A, rule {copy.name}", copy.origin)
        self.assertEqual(rule.child_rule_ids.building_id, self.building_a2)

    def test_persistent_rule_reaches_new_buildings_and_locks(self):
        rule = self._group_rule()
        rule.action_apply_persistent()
        copy = self._building_rule(self.building_a)
        self.assertEqual(copy.locked_by_id, rule)
        with self.assertRefused(UserError, "locked by the persistent rule"):
            copy.window_last_day = 28
        site_copy = self.Rule.search(
            [
                ("site_id", "=", self.site_a.id),
                ("resource_id", "=", self.electricity.id),
            ]
        )
        with self.assertRefused(UserError, "locked by the persistent rule"):
            site_copy.action_apply_once()
        with self.assertRefused(UserError, "locked by the persistent rule"):
            site_copy.unlink()
        late = self.env["meter.building"].create(
            {"name": "Late", "site_id": self.site_a.id}
        )
        late_copy = self._building_rule(late)
        self.assertEqual(late_copy.parent_rule_id, rule)
        self.assertIn("persistent rule", late_copy.origin)
        # a new site in the group gets it too
        new_site = self.env["meter.site"].create(
            {"name": "Site N", "code": "SN", "parent_id": self.group.id}
        )
        self.assertTrue(
            self.Rule.search(
                [("site_id", "=", new_site.id), ("parent_rule_id", "=", rule.id)]
            )
        )
        # unapplied edits stay a draft: the copies keep the applied settings
        rule.window_first_day = 10
        self.assertEqual(rule.state, "draft")
        self.assertEqual(copy.window_first_day, 15)
        rule.action_apply_persistent()
        self.assertEqual(copy.window_first_day, 10)
        # revoking keeps the settings and unlocks
        rule.action_revoke()
        self.assertEqual(rule.state, "revoked")
        self.assertEqual(copy.window_first_day, 10)
        copy.window_last_day = 28
        later = self.env["meter.building"].create(
            {"name": "Later", "site_id": self.site_a.id}
        )
        self.assertFalse(self._building_rule(later))
        with self.assertRefused(UserError, "Only a persistent rule"):
            rule.action_revoke()

    def test_effective_rule_enforced_by_form_and_bulk(self):
        self._group_rule().action_apply_persistent()
        Reading = self.env["meter.reading"].with_user(self.reader)
        # integers only, on the form path ...
        with self.assertRefused(ValidationError, "decimals: only whole numbers"):
            Reading.create(
                {
                    "meter_id": self.meter_a1.id,
                    "read_at": "2025-03-20 10:00:00",
                    "value": 10.5,
                }
            )
        # ... and outside the window (Read At is counted in the site's time zone)
        with self.assertRefused(ValidationError, "outside the submission window"):
            Reading.create(
                {
                    "meter_id": self.meter_a1.id,
                    "read_at": "2025-03-26 10:00:00",
                    "value": 10,
                }
            )
        reading = Reading.create(
            {
                "meter_id": self.meter_a1.id,
                "read_at": "2025-03-20 10:00:00",
                "value": 10,
            }
        )
        self.assertEqual(reading.value, 10)
        # the bulk path reads the same rules
        with self.assertRefused(ValidationError, "outside_window"):
            Reading._bulk_ingest([(self.meter_a1.id, "T1", "2025-04-02 10:00:00", 20)])
        with self.assertRefused(ValidationError, "not_integer"):
            Reading._bulk_ingest(
                [(self.meter_a1.id, "T1", "2025-04-20 10:00:00", "20.5")]
            )
        Reading._bulk_ingest([(self.meter_a1.id, "T1", "2025-04-20 10:00:00", 20)])
        # meters read by gateways and systems are taken any day, other rules hold
        for source, value in (("gateway", 21), ("api", 22)):
            result = Reading._bulk_ingest(
                [(self.meter_a1.id, "T1", f"2025-05-0{value - 20} 10:00:00", value)],
                source=source,
            )
            self.assertEqual(result["created"], 1, source)
        with self.assertRefused(ValidationError, "not_integer"):
            Reading._bulk_ingest(
                [(self.meter_a1.id, "T1", "2025-05-05 10:00:00", "23.5")],
                source="gateway",
            )
        # site B has no rule: anything goes there
        self._reading(self.meter_b1, "2025-03-26 10:00:00", 10.5)

    def test_outside_window_privilege(self):
        self._group_rule().action_apply_persistent()
        privileged = self.reader.copy({"login": "reader_ow"})
        privileged.group_ids = [
            (4, self.env.ref("meter_base.meter_base_group_outside_window").id)
        ]
        self.site_a.user_ids = [(4, privileged.id)]
        reading = (
            self.env["meter.reading"]
            .with_user(privileged)
            .create(
                {
                    "meter_id": self.meter_a1.id,
                    "read_at": "2025-03-02 10:00:00",
                    "value": 7,
                }
            )
        )
        self.assertEqual(reading.state, "valid")
        self.env["meter.reading"].with_user(privileged)._bulk_ingest(
            [(self.meter_a1.id, "T1", "2025-04-02 10:00:00", 9)]
        )

    def test_readings_disabled_and_expired_verification(self):
        rule = self.Rule.create(
            {
                "building_id": self.building_a.id,
                "resource_id": self.electricity.id,
                "accept_readings": False,
            }
        )
        with self.assertRefused(ValidationError, "accepts no readings"):
            self._reading(self.meter_a1, "2025-03-01 00:00:00", 1)
        rule.write({"accept_readings": True, "accept_expired_verification": False})
        self.meter_a1.write(
            {"verification_interval_years": 1, "last_verification_date": "2025-01-01"}
        )
        self._reading(self.meter_a1, "2026-01-01 00:00:00", 1)
        with self.assertRefused(ValidationError, "verification expired"):
            self._reading(self.meter_a1, "2026-01-02 00:00:00", 2)
        self.meter_a1.action_set_verification()
        with self.assertRefused(ValidationError, "verification_expired"):
            self.env["meter.reading"]._bulk_ingest(
                [(self.meter_a1.id, "T1", "2025-12-01 00:00:00", 0)]
            )

    def test_access_per_role(self):
        rule = self._group_rule()
        rule.action_apply_once()
        copy = self._building_rule(self.building_a)
        # staff read the rules of their sites, only managers change them
        self.assertEqual(
            self.Rule.with_user(self.reader).search([("id", "in", copy.ids)]), copy
        )
        self.assertFalse(
            self.Rule.with_user(self.reader).search([("id", "=", rule.id)])
        )
        for user in (self.reader, self.technician, self.billing):
            with self.assertRaises(AccessError):
                copy.with_user(user).write({"window_last_day": 20})
            with self.assertRaises(AccessError):
                self.Rule.with_user(user).create(
                    {"building_id": self.building_a2.id, "resource_id": self.heat.id}
                )
        # a reader of site A sees where the meter's rule comes from, even when
        # the source rule is a group's rule they cannot read
        self.assertIn(rule.name, self.meter_a1.with_user(self.reader).rule_summary)
        # managers apply; a technician creating a building still gets the
        # persistent rules of the levels above
        rule.with_user(self.manager).action_apply_persistent()
        building = (
            self.env["meter.building"]
            .with_user(self.technician)
            .create({"name": "Tech", "site_id": self.site_a.id})
        )
        self.assertTrue(self._building_rule(building))

    def test_staff_notified_of_resident_readings(self):
        rule = self.Rule.create(
            {
                "building_id": self.building_a.id,
                "resource_id": self.electricity.id,
                "notify_user_ids": [(6, 0, self.technician.ids)],
            }
        )
        Activity = self.env["mail.activity"]
        domain = [
            ("res_model", "=", "meter.meter"),
            ("res_id", "=", self.meter_a1.id),
            ("user_id", "=", self.technician.id),
        ]
        self._reading(self.meter_a1, "2025-03-01 00:00:00", 1, source="staff")
        self.assertFalse(Activity.search(domain), "staff readings: no notice")
        self._reading(self.meter_a1, "2025-04-01 00:00:00", 2, source="resident")
        activity = Activity.search(domain)
        self.assertEqual(len(activity), 1)
        self.assertIn("resident", activity.summary)
        self.assertIn("EL-A1", str(activity.note))
        # no rule, nobody to tell
        self._reading(self.meter_b1, "2025-04-01 00:00:00", 2, source="resident")
        self.assertFalse(
            Activity.search(
                [("res_model", "=", "meter.meter"), ("res_id", "=", self.meter_b1.id)]
            )
        )
        # by e-mail
        rule.notify_mode = "email"
        self._reading(self.meter_a1, "2025-05-01 00:00:00", 3, source="resident")
        message = self.env["mail.message"].search(
            [
                ("model", "=", "meter.meter"),
                ("res_id", "=", self.meter_a1.id),
                ("subject", "=", "Readings submitted by a resident"),
            ]
        )
        self.assertEqual(message.notified_partner_ids, self.technician.partner_id)

    def test_site_meter_and_time_zone(self):
        """A meter placed on the site follows the site's rule; the window's days
        are those of the site's time zone."""
        self.site_b.tz = "Europe/Zurich"
        site_meter = self.env["meter.meter"].create(
            {
                "name": "EL-SB-MAIN",
                "site_id": self.site_b.id,
                "resource_id": self.electricity.id,
                "kind": "main",
            }
        )
        rule = self.Rule.create(
            {
                "site_id": self.site_b.id,
                "resource_id": self.electricity.id,
                "window_first_day": 15,
                "window_last_day": 25,
            }
        )
        self.assertEqual(site_meter.effective_rule_id, rule)
        self.assertFalse(self.meter_b1.effective_rule_id, "building: not applied")
        self.site_b.user_ids = [(4, self.reader.id)]
        Reading = self.env["meter.reading"].with_user(self.reader)
        # 23:30 UTC on 14 March is 00:30 on the 15th in Zurich
        Reading.create(
            {"meter_id": site_meter.id, "read_at": "2025-03-14 23:30:00", "value": 1}
        )
        # 22:30 UTC on 25 July is 00:30 on the 26th in Zurich (summer time)
        with self.assertRefused(ValidationError, "outside the submission window"):
            Reading.create(
                {
                    "meter_id": site_meter.id,
                    "read_at": "2025-07-25 22:30:00",
                    "value": 2,
                }
            )

    def test_manager_form(self):
        form = Form(self.Rule.with_user(self.manager))
        form.site_id = self.site_a
        form.resource_id = self.heat
        form.window_first_day = 20
        form.window_last_day = 25
        rule = form.save()
        self.assertEqual(rule.level, "site")
        self.assertIn("set on Site Site A", rule.origin)
        rule.action_apply_once()
        building_form = Form(self.building_a.with_user(self.manager))
        self.assertIn("Submission window: 20-25", building_form.rule_summary)
        meter_form = Form(self.meter_a1.with_user(self.reader))
        self.assertIn("No rule", meter_form.rule_summary, "electricity: no rule")

    def test_resident_submission_through_sudo_keeps_the_window(self):
        """The portal writes residents' readings as superuser after its own
        access check: the window still applies to the resident."""
        self._group_rule().action_apply_persistent()
        resident = new_test_user(self.env, login="resident", groups="base.group_portal")
        Reading = self.env["meter.reading"].with_user(resident).sudo()
        with self.assertRefused(ValidationError, "outside the submission window"):
            Reading.create(
                {
                    "meter_id": self.meter_a1.id,
                    "read_at": "2025-03-02 10:00:00",
                    "value": 5,
                    "source": "resident",
                }
            )
        reading = Reading.create(
            {
                "meter_id": self.meter_a1.id,
                "read_at": "2025-03-16 10:00:00",
                "value": 5,
                "source": "resident",
            }
        )
        self.assertEqual(reading.source, "resident")
