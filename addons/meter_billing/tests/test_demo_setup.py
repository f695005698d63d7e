# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDemoSetup(TransactionCase):
    """The demo setup of scripts/run refuses to run where it cannot: it
    needs an administrator and both localisations, and says so (the test
    database has neither l10n_ch nor l10n_de)."""

    def test_needs_an_administrator(self):
        user = new_test_user(
            self.env, login="demo_setup_user", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            self.env["res.company"].with_user(user)._meter_demo_setup_companies()

    def test_needs_the_localisations(self):
        installed = self.env["ir.module.module"].search_count(
            [("name", "in", ["l10n_ch", "l10n_de"]), ("state", "=", "installed")]
        )
        if installed == 2:
            self.skipTest("both localisations are installed here")
        with self.assertRaisesRegex(UserError, "l10n_ch and l10n_de"):
            self.env["res.company"]._meter_demo_setup_companies()
