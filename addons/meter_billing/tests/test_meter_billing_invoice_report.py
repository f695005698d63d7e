# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.fields import Command
from odoo.tests import tagged

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestMeterBillingInvoiceReport(MeterBillingCommon):
    """The printed invoice lists, per meter, the readings it bills, in the
    customer's language, at the meter's decimals and the site's local time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.tenant1.lang = "de_DE"
        # Site A in Zurich: January 2026 is UTC+1, its local midnights are
        # 23:00 UTC the evening before.
        cls.site_a.tz = "Europe/Zurich"
        cls.env["meter.reading"].search([("meter_id", "=", cls.meter_a1.id)]).unlink()
        cls._reading(cls.meter_a1, "2025-12-31 23:00:00", 1000)
        cls._reading(cls.meter_a1, "2026-01-31 23:00:00", 1300)

    def _invoice_html(self, move):
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "account.account_invoices", move.ids
        )
        return html.decode()

    def test_invoice_lists_the_readings(self):
        """EL-A1 read 1000 at local 1 Jan 00:00 and 1300 at local 1 Feb 00:00:
        300 kWh, electricity has 2 decimals, printed the German way
        (1.000,00 -> 1.300,00, 300,00 kWh) with German dates; unit
        prices of the two blocks 0,4883 and 0,5383 (given with 4 places)."""
        run = self._bill(self._run(points=self.point_a1), post=False)
        move = run.move_ids
        self.assertEqual(move.partner_id, self.tenant1)
        html = self._invoice_html(move)
        for text in (
            "Meter readings",
            "EL-A1",
            "01.01.2026 00:00",
            "1.000,00",
            "01.02.2026 00:00",
            "1.300,00",
            "300,00",
            self.electricity.uom_id.with_context(lang="de_DE").name,
            "0,4883",
            "0,5383",
        ):
            self.assertIn(text, html)
        # never the UTC instants of the readings
        self.assertNotIn("31.12.2025 23:00", html)

    def test_invoice_without_billing_has_no_readings(self):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.tenant2.id,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": self.product_fixed.id, "price_unit": 10.0}
                    )
                ],
            }
        )
        self.assertNotIn("Meter readings", self._invoice_html(move))
