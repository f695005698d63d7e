# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command


class ResCompany(models.Model):
    _inherit = "res.company"

    meter_cash_rounding_id = fields.Many2one(
        "account.cash.rounding",
        string="Metering cash rounding",
        help="Cash rounding of metering invoices (e.g. 0.05 in Switzerland).",
    )
    meter_advance_product_id = fields.Many2one(
        "product.product",
        string="Advance payment product",
        help="Product of the advance payment invoices of billing points.",
    )
    meter_common_product_id = fields.Many2one(
        "product.product",
        string="Common-area product",
        help="Product of the common-area apportionment lines.",
    )

    # ------------------------------------------------------------
    # DEMO
    # ------------------------------------------------------------

    @api.model
    def _meter_demo_setup_companies(self):
        """Demo only: a Swiss and a German company own the demo sites.

        Called once by ``scripts/run`` after it installed the demo database and
        ``l10n_ch``, ``l10n_de`` (the addons do not depend on them)::

            env["res.company"]._meter_demo_setup_companies()

        - *Régie du Lac SA* (CHF, Swiss chart and VAT, 0.05 cash rounding of
          the metering invoices, a QR-IBAN on its bank account) owns *Résidence
          du Lac*, its portfolio, the demo tariffs and billing run;
        - *Hausverwaltung Lindenhof GmbH* (EUR, SKR03 chart) owns *Wohnanlage
          Lindenhof*;
        - their occupants and owners write in French (fr_CH) and German
          (de_DE), the languages are installed;
        - the nightly governance jobs run once, so that statuses match today.

        It reuses the ``l10n_ch`` / ``l10n_de`` demo companies when they exist
        and is idempotent.

        :return: ``{"ch": company, "de": company}``
        """
        if not self.env.is_admin():
            raise AccessError(self.env._("Only an administrator sets up the demo."))
        installed = set(
            self.env["ir.module.module"]
            .search(
                [("state", "=", "installed"), ("name", "in", ["l10n_ch", "l10n_de"])]
            )
            .mapped("name")
        )
        if installed != {"l10n_ch", "l10n_de"}:
            raise UserError(
                self.env._(
                    "Install l10n_ch and l10n_de first (scripts/run does it), then "
                    "set up the demo companies."
                )
            )
        ref = self.env.ref
        self.env["base.language.install"].create(
            {
                "lang_ids": [
                    Command.set(
                        [
                            self.env["res.lang"]._activate_lang(code).id
                            for code in ("fr_CH", "de_DE")
                        ]
                    )
                ],
                "overwrite": False,
            }
        ).lang_install()
        ch = self._meter_demo_company(
            "base.demo_company_ch",
            "ch",
            {
                "name": "Régie du Lac SA",
                "street": "Avenue de Rhodanie 12",
                "zip": "1007",
                "city": "Lausanne",
                "country_id": ref("base.ch").id,
            },
        )
        de = self._meter_demo_company(
            "base.demo_company_de",
            "de_skr03",
            {
                "name": "Hausverwaltung Lindenhof GmbH",
                "street": "Lindenstraße 40",
                "zip": "10969",
                "city": "Berlin",
                "country_id": ref("base.de").id,
            },
        )
        rounding = self.env["account.cash.rounding"].search(
            [("rounding", "=", 0.05), ("strategy", "=", "biggest_tax")], limit=1
        ) or self.env["account.cash.rounding"].create(
            {
                "name": "CHF 0.05",
                "rounding": 0.05,
                "strategy": "biggest_tax",
                "rounding_method": "HALF-UP",
            }
        )
        ch.meter_cash_rounding_id = rounding
        Bank = self.env["res.partner.bank"]
        if not Bank.search([("partner_id", "=", ch.partner_id.id)]):
            Bank.create(
                {
                    "partner_id": ch.partner_id.id,
                    "acc_number": "CH15 0024 0123 4567 8901 2",
                    "l10n_ch_qr_iban": "CH44 3199 9123 0008 8901 2",
                    "allow_out_payment": True,
                }
            )
        main = ref("base.main_company")
        products = main.meter_common_product_id | main.meter_advance_product_id
        for company in ch | de:
            company.write(
                {
                    "meter_common_product_id": main.meter_common_product_id.id,
                    "meter_advance_product_id": main.meter_advance_product_id.id,
                }
            )
            components = self.env["meter.tariff.component"].search(
                [("company_id", "in", main.ids)]
            )
            (products | components.product_id).write(
                {"taxes_id": [Command.link(company.account_sale_tax_id.id)]}
            )
        # staff work in the Swiss company; admin switches to the German one
        (ref("base.user_admin") | ref("meter_base.user_reader_demo")).write(
            {
                "company_ids": [Command.link(ch.id), Command.link(de.id)],
                "company_id": ch.id,
            }
        )
        lac = ref("meter_base.site_lac_demo")
        linden = ref("meter_base.site_linden_demo")
        (ref("meter_base.site_group_demo") | lac).company_id = ch
        linden.company_id = de
        for xmlid in (
            "meter_billing.tariff_tou_demo",
            "meter_billing.tariff_tiered_demo",
            "meter_billing.tou_calendar_demo",
            "meter_billing.billing_run_demo",
        ):
            ref(xmlid).company_id = ch
        # a partner in both sites writes French (the Swiss invoices come last)
        for site, lang in ((linden, "de_DE"), (lac, "fr_CH")):
            occupancies = self.env["meter.occupancy"].search(
                [("unit_id.site_id", "=", site.id)]
            )
            (occupancies.partner_id | site.partner_id).lang = lang
        ch.partner_id.lang = "fr_CH"
        de.partner_id.lang = "de_DE"
        # the nightly jobs, in this transaction (a cron's own cursor would wait
        # for the rows written above)
        self.env["meter.meter"]._cron_check_verification()
        self.env["meter.reading.issue"]._cron_check_data_quality()
        return {"ch": ch, "de": de}

    @api.model
    def _meter_demo_company(self, xmlid, chart, vals):
        """The demo company of a localisation (created with its chart of
        accounts when the localisation's demo did not), named as ``vals``."""
        company = self.env.ref(xmlid, raise_if_not_found=False)
        if not company:
            company = self.create(vals)
            self.env["account.chart.template"].try_loading(
                chart, company=company, install_demo=False
            )
        company.write(vals)
        return company

    meter_prepaid_account_id = fields.Many2one(
        "account.account",
        string="Customer prepayment account",
        help="Liability holding prepaid metering balances (created on first use).",
    )
    meter_prepaid_journal_id = fields.Many2one(
        "account.journal",
        string="Prepaid deduction journal",
        help="Miscellaneous journal of prepaid deductions (default: the first one).",
    )

    def _meter_prepaid_liability_account(self):
        """The customer prepayment account; on first use a current liability
        is created next to the chart's first one (e.g. 251001 in the generic
        chart)."""
        self.ensure_one()
        if self.meter_prepaid_account_id:
            return self.meter_prepaid_account_id
        # the company's accounting setup, completed once for every user who posts
        company_sudo = self.sudo()
        accounts_sudo = company_sudo.env["account.account"].with_company(company_sudo)
        first = accounts_sudo.search(
            [
                *accounts_sudo._check_company_domain(company_sudo),
                ("account_type", "=", "liability_current"),
            ],
            order="code",
            limit=1,
        )
        account = accounts_sudo.create(
            {
                "name": self.env._("Prepaid metering balances"),
                "code": accounts_sudo._search_new_account_code(first.code or "2000"),
                "account_type": "liability_current",
            }
        )
        company_sudo.meter_prepaid_account_id = account
        return account

    def _meter_prepaid_journal(self):
        self.ensure_one()
        journal = self.meter_prepaid_journal_id or self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self),
                ("type", "=", "general"),
            ],
            limit=1,
        )
        if not journal:
            raise UserError(
                self.env._("Set a journal for prepaid deductions in the settings.")
            )
        return journal
