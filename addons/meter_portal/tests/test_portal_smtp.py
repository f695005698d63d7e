# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import email
import email.policy
import re
import socket
from unittest.mock import patch

import aiosmtpd.controller

from odoo.tests import tagged

from odoo.addons.base.models.ir_mail_server import IrMail_Server

from .common import MeterPortalCommon
from .test_portal_monthly_notice import MonthlyNoticeFixture


class _Inbox:
    """aiosmtpd handler keeping every message received."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        return [
            (
                envelope.rcpt_tos,
                email.message_from_bytes(envelope.content, policy=email.policy.default),
            )
            for envelope in self.envelopes
        ]


@tagged("post_install", "-at_install")
class TestPortalSmtp(MonthlyNoticeFixture, MeterPortalCommon):
    """Real mails through Odoo's mail queue to an SMTP server on 127.0.0.1
    (aiosmtpd, a free port): the invitation and the §6a information.

    Odoo's test mode does not send (``IrMailServer._disable_send``); as in
    Odoo's own SMTP tests (base/tests/test_ir_mail_server_smtpd.py), sending
    is switched back on for this test only, with the only mail server the
    local one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_notice_fixture()
        cls.env.company.email = "billing@example.com"

    def setUp(self):
        super().setUp()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.inbox = _Inbox()
        controller = aiosmtpd.controller.Controller(
            self.inbox, hostname="127.0.0.1", port=port
        )
        controller.start()
        self.addCleanup(controller.stop)
        self.env["ir.mail_server"].search([]).active = False
        self.env["ir.mail_server"].create(
            {
                "name": "Loopback SMTP",
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_encryption": "none",
                "sequence": 1,
            }
        )
        patcher = patch.object(IrMail_Server, "_disable_send", return_value=False)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _process_queue(self, mails):
        self.env["mail.mail"].process_email_queue(email_ids=mails.ids)
        self.assertEqual(set(mails.mapped("state")), {"sent"})

    def test_invitation_reaches_the_server(self):
        """The invitation arrives at the occupant's address with a
        registration link whose code registers them."""
        partner = self.env["res.partner"].create(
            {"name": "Resident C", "email": "c@example.com"}
        )
        occupancy = self.env["meter.occupancy"].create(
            {
                "unit_id": self.unit_q1.id,
                "partner_id": partner.id,
                "date_start": "2026-01-01",
            }
        )
        access = self.env["meter.portal.access"].create({"occupancy_id": occupancy.id})
        access.action_send_invitation()
        mails = self.env["mail.mail"].search(
            [("model", "=", access._name), ("res_id", "=", access.id)]
        )
        self._process_queue(mails)
        [(recipients, message)] = self.inbox.messages()
        self.assertEqual(recipients, ["c@example.com"])
        self.assertEqual(message["Subject"], "Your consumption portal for Q1")
        body = message.get_body(("html",)).get_content()
        code = re.search(r"/meter/register\?code=([A-Z0-9]{12})", body).group(1)
        self.assertEqual(self.env["meter.portal.access"]._find_by_code(code), access)

    def test_monthly_information_reaches_the_server(self):
        """X's February information arrives at x@example.com in German with
        the information document attached; Y (letter) and Z (portal) get no
        mail."""
        mails_before = self.env["mail.mail"].search([])
        self._run_monthly_job()
        mails = self.env["mail.mail"].search([]) - mails_before
        self._process_queue(mails)
        [(recipients, message)] = self.inbox.messages()
        self.assertEqual(recipients, ["x@example.com"])
        self.assertEqual(
            message["Subject"], "Your consumption information for Februar 2026"
        )
        [attachment] = list(message.iter_attachments())
        # Odoo's test mode renders reports as HTML instead of PDF.
        self.assertRegex(
            attachment.get_filename(),
            r"^Consumption information S1 2026-02\.(pdf|html)$",
        )
        self.assertIn(b"225.0 kWh", attachment.get_payload(decode=True))

    def test_portal_only_notice_reaches_the_server(self):
        """Z (portal only) has registered and reads German: the job sends Z
        one short mail that February's information is online (German month,
        the link to the information page, no document attached); X gets the
        information by e-mail as before. A rerun sends nothing twice."""
        self.z.lang = "de_DE"
        access_z = self.occ_z.portal_access_ids
        code = access_z._issue_codes()[access_z]
        access_z._find_by_code(code)._register_occupant("z-portal-pw-2026")
        mails_before = self.env["mail.mail"].search([])
        self._run_monthly_job()
        mails = self.env["mail.mail"].search([]) - mails_before
        notice_z = self._notice(self.occ_z)
        self.assertRecordValues(
            notice_z,
            [{"channel": "portal", "state": "portal", "email": "z@example.com"}],
        )
        self.assertEqual(len(mails), 2)
        self.assertIn(notice_z.mail_id, mails)
        self._process_queue(mails)
        received = {
            tuple(recipients): message for recipients, message in self.inbox.messages()
        }
        self.assertEqual(set(received), {("x@example.com",), ("z@example.com",)})
        message = received[("z@example.com",)]
        self.assertEqual(
            message["Subject"],
            "Your consumption information for Februar 2026 is online",
        )
        self.assertEqual(list(message.iter_attachments()), [])
        body = message.get_body(("html",)).get_content()
        self.assertRegex(body, r'href="https?://[^"]+/my/meters/information"')

        self._run_monthly_job()
        self.assertEqual(self.env["mail.mail"].search([]) - mails_before, mails)
        self.assertEqual(len(self._notice(self.occ_z)), 1)
