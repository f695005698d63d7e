# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import MeterPortalCommon


@tagged("post_install", "-at_install")
class TestPortalAccess(MeterPortalCommon):
    """KALO onboarding: invited -> pending (code sent) -> confirmed; codes
    are one-time and expire after 30 days."""

    def _new_access(self, email="c@example.com"):
        partner = self.env["res.partner"].create({"name": "Resident C", "email": email})
        occupancy = self.env["meter.occupancy"].create(
            {
                "unit_id": self.unit_q1.id,
                "partner_id": partner.id,
                "date_start": "2026-01-01",
            }
        )
        access = self.env["meter.portal.access"].create({"occupancy_id": occupancy.id})
        return access

    def test_consent_recorded(self):
        access = self._new_access()
        self.assertEqual(access.state, "invited")
        self.assertEqual(access.consent_by_id, self.env.user)
        self.assertTrue(access.consent_date)
        self.assertEqual(access.email, "c@example.com")

    def test_invitation_mail_queued_with_working_code(self):
        access = self._new_access()
        access.action_send_invitation()
        self.assertEqual(access.state, "pending")
        mail = self.env["mail.mail"].search(
            [("model", "=", access._name), ("res_id", "=", access.id)]
        )
        self.assertEqual(mail.state, "outgoing")
        self.assertIn(
            "c@example.com", [mail.email_to, *mail.recipient_ids.mapped("email")]
        )
        code = re.search(r"register\?code=([A-Z0-9]{12})", mail.body_html).group(1)
        user = (
            self.env["meter.portal.access"]
            ._find_by_code(code)
            ._register_occupant("pw-123456")
        )
        self.assertEqual(access.state, "confirmed")
        self.assertEqual(access.user_id, user)
        self.assertTrue(user._is_portal())
        self.assertEqual(
            self.env["meter.meter"].with_user(user).search([]), self.heat_q1
        )
        with self.assertRaisesRegex(UserError, "already used"):
            self.env["meter.portal.access"]._find_by_code(code)

    def test_expired_and_wrong_codes_refused(self):
        access = self._new_access()
        with freeze_time("2026-03-01 10:00:00"):
            code = access._issue_codes()[access]
        Access = self.env["meter.portal.access"]
        with (
            freeze_time("2026-04-01 10:00:00"),
            self.assertRaisesRegex(UserError, "expired on 2026-03-31"),
        ):
            Access._find_by_code(code)
        with self.assertRaisesRegex(UserError, "unknown"):
            Access._find_by_code("WRONGCODE123")
        with self.assertRaisesRegex(UserError, "unknown"):
            Access._find_by_code("")
        # A new code replaces the old one.
        with freeze_time("2026-04-01 10:00:00"):
            new_code = access._issue_codes()[access]
            with self.assertRaisesRegex(UserError, "unknown"):
                Access._find_by_code(code)
            self.assertEqual(Access._find_by_code(new_code), access)

    def test_existing_login_must_log_in(self):
        access = self._new_access(email="a@example.com")
        code = access._issue_codes()[access]
        with self.assertRaisesRegex(UserError, "log in first"):
            self.env["meter.portal.access"]._find_by_code(code)._register_occupant(
                "pw-123456"
            )
        self.assertEqual(access.state, "pending")

    def test_missing_letters_one_pdf(self):
        """P1 (A confirmed) and Q1 need information; only Q1's occupant gets
        a letter, in one PDF."""
        (self.unit_p1 | self.unit_q1).consumption_info_required = True
        partner = self.env["res.partner"].create({"name": "Resident Q"})
        self.env["meter.occupancy"].create(
            {
                "unit_id": self.unit_q1.id,
                "partner_id": partner.id,
                "date_start": "2026-01-01",
            }
        )
        action = self.env["meter.portal.access"].action_print_missing_letters()
        accesses = self.env["meter.portal.access"].search(
            [("unit_id", "=", self.unit_q1.id)]
        )
        self.assertEqual(accesses.partner_id, partner)
        self.assertEqual(accesses.state, "pending")
        attachment_id = int(re.search(r"/web/content/(\d+)", action["url"]).group(1))
        attachment = self.env["ir.attachment"].browse(attachment_id)
        self.assertTrue(attachment.raw)
        with self.assertRaisesRegex(UserError, "already has a portal access"):
            self.env["meter.portal.access"].action_print_missing_letters()
