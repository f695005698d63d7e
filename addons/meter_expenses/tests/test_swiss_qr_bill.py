# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import MeterExpensesCommon


@tagged("post_install", "-at_install")
class TestSwissQrBill(MeterExpensesCommon):
    """The balance invoice of a statement of a Swiss company carries the
    Swiss QR-bill of Odoo's l10n_ch (QR-IBAN and QR reference).

    The fixtures run on a Swiss company with the Swiss chart of accounts; the
    whole class is skipped ("Module required for the test is not installed
    (l10n_ch)") where l10n_ch is not installed.
    """

    @classmethod
    @MeterExpensesCommon.setup_country("ch")
    def setUpClass(cls):
        super().setUpClass()
        swiss = {"country_id": cls.env.ref("base.ch").id}
        cls.env.company.partner_id.write(
            {"street": "Bahnhofstrasse 1", "zip": "8001", "city": "Zürich", **swiss}
        )
        cls.tenant1.write(
            {"street": "Seestrasse 5", "zip": "8002", "city": "Zürich", **swiss}
        )
        cls.qr_iban = cls.env["res.partner.bank"].create(
            {
                "acc_number": "CH4431999123000889012",
                "partner_id": cls.env.company.partner_id.id,
                "allow_out_payment": True,
            }
        )
        cls.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", cls.env.company.id)]
        ).invoice_reference_model = "ch"

    def test_statement_invoice_carries_the_qr_bill(self):
        """Electricity 1000.00 and ancillary 120.00 allocated as in
        test_vendor_bill_to_posted_statements: A1 542.50 CHF, no advance. The
        invoice is paid to the QR-IBAN with a 27-digit QR reference, is valid
        for the QR-bill and l10n_ch's QR-bill report renders it."""
        self.assertEqual(self.env.company.currency_id.name, "CHF")
        self.period.action_collect_costs()
        self.period.action_allocate()
        statement = self._statements()[self.tenant1]
        self.period.action_issue()
        move = statement.move_id
        self.assertEqual(move.state, "posted")
        self.assertAlmostEqual(move.amount_total, 542.50, places=2)
        self.assertEqual(move.partner_bank_id, self.qr_iban)
        self.assertTrue(self.qr_iban.l10n_ch_qr_iban)
        self.assertTrue(move.l10n_ch_is_qr_valid)
        self.assertEqual(len(move.payment_reference), 27)
        self.assertEqual(move.payment_reference, move.get_l10n_ch_qrr_number())
        self.assertFalse(
            move.partner_bank_id._check_for_qr_code_errors(
                "ch_qr",
                move.amount_residual,
                move.currency_id,
                move.partner_id,
                move.name,
                move.payment_reference,
            )
        )
        self.assertEqual(move._l10n_ch_dispatch_invoices_to_print()["qr"], move)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "l10n_ch.l10n_ch_qr_report", move.ids
        )[0]
        self.assertIn(b"swissqr", html)
