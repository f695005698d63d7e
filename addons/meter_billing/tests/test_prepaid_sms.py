# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import tagged

from . import test_prepaid


@tagged("post_install", "-at_install")
class TestPrepaidSms(test_prepaid.TestPrepaid):
    """Alarm 1 by SMS, where Odoo's ``sms`` is installed (meter_billing does
    not depend on it: skipped otherwise). The resident has a phone number."""

    def test_alarm1_sms_from_the_template(self):
        """Deductions of Jan 1-3 bring the balance to 47.00 < alarm 1 50.00
        (see TestPrepaid): one SMS to the resident from the alarm 1 template,
        created once with its external id, saying the balance and alarm 2."""
        if "sms.template" not in self.env:
            self.skipTest("sms is not installed")
        self.resident.phone = "+41 79 000 00 00"
        self._pay(100.0)
        self._deduct(date(2026, 1, 3))
        template = self.env.ref("meter_billing.sms_template_meter_prepaid_alarm1")
        self.assertEqual(template.model, "meter.prepaid.account")
        sms = self.env["sms.sms"].search([("partner_id", "=", self.resident.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn("47.00", sms.body)
        self.assertIn("20.00", sms.body)
