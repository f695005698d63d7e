# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime

from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_solar import SolarCommunityCommon


@tagged("post_install", "-at_install")
class TestSolarStatement(SolarCommunityCommon):
    """The owner statement of ZEV Sonnenhof for January 2026 (the fixture of
    :class:`SolarCommunityCommon`: S1 93 solar kWh, S2 279, export 248 kWh).

    Invoiced solar (RULES.md 2.1, tariff 0.20 per solar kWh): S1 93 x 0.20 =
    18.60, S2 279 x 0.20 = 55.80: 372 kWh, 74.40. Feed-in at 0.085 per kWh:
    248 x 0.085 = 21.08. DSO bill of January 600.00, fees 30.00 (vendor
    bills, no tax). Net: 74.40 + 21.08 - 600.00 - 30.00 = -534.52.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.dso = env["res.partner"].create({"name": "EW Sonnenhof (DSO)"})
        cls.operator = env["res.partner"].create({"name": "Metering Services AG"})
        cls.feed_in_account = cls.company_data["default_account_revenue"].copy(
            {"code": "320099", "name": "Feed-in remuneration"}
        )
        cls.community.write(
            {
                "export_price": 0.085,
                "dso_partner_id": cls.dso.id,
                "export_account_id": cls.feed_in_account.id,
            }
        )
        cls.community.action_compute(date(2026, 1, 1), date(2026, 1, 31))
        cls.dso_bill = cls._vendor_bill(cls.dso, "Grid supply January", 600)
        cls.fee_bill = cls._vendor_bill(cls.operator, "Metering January", 30)

    @classmethod
    def _vendor_bill(cls, partner, label, amount):
        return cls.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": partner.id,
                "invoice_date": "2026-02-10",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": label,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )

    def _statement(self, bill=False, **vals):
        if bill:
            self._bill(self._run(points=self.point_s1 | self.point_s2))
        return self.env["meter.solar.statement"].create(
            {
                "community_id": self.community.id,
                "statement_type": "period",
                "date_from": "2026-01-01",
                "date_to": "2026-01-31",
                "dso_bill_id": self.dso_bill.id,
                "fee_bill_id": self.fee_bill.id,
                **vals,
            }
        )

    def _sold(self, statement):
        """Computes ``statement``: its solar kWh, amount, line count and net."""
        statement.action_compute()
        return (
            statement.solar_kwh,
            statement.solar_amount,
            statement.solar_line_count,
            statement.net_amount,
        )

    def test_statement_figures(self):
        statement = self._statement(bill=True)
        statement.action_compute()
        self.assertEqual(
            (
                statement.solar_kwh,
                statement.solar_amount,
                statement.solar_line_count,
                statement.export_kwh,
                statement.export_amount,
                statement.dso_amount,
                statement.fee_amount,
                statement.net_amount,
            ),
            (372, 74.40, 2, 248, 21.08, 600, 30, -534.52),
        )

    def test_statement_report(self):
        """The printed statement shows the figures of the class docstring
        and the month's: production 620, consumption 2976, self-consumed
        372, export 248, self-sufficiency 12.50 %, self-consumption 60.00 %."""
        statement = self._statement(bill=True)
        statement.action_compute()
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "meter_billing.action_report_solar_statement", statement.ids
        )
        html = html.decode()
        for text in (
            "Owner statement",
            "ZEV Sonnenhof",
            "372.0000",
            "74.40",
            "248.0000",
            "0.085000",
            "21.08",
            "600.00",
            "30.00",
            "534.52",
            "620.0000",
            "2,976.0000",
            "12.50",
            "60.00",
        ):
            self.assertIn(text, html)

    def test_credit_notes_net_out_the_solar_sold(self):
        """S2's invoice is reversed in full (credit note of all its lines),
        S1's is credited 10 solar kWh (a credit note of its solar line with
        quantity 10: 10 x 0.20 = 2.00). Solar sold: S1 93 - 10 = 83 kWh,
        18.60 - 2.00 = 16.60; S2 279 - 279 = 0 kWh, 55.80 - 55.80 = 0; 4
        lines (2 invoice lines, 2 credit note lines). Net: 16.60 + 21.08 -
        600.00 - 30.00 = -592.32."""
        statement = self._statement(bill=True)
        invoices = self.env["account.move"].browse(
            [line.move_id.id for line, _sign in statement._solar_lines()]
        )
        self.assertEqual(len(invoices), 2)
        invoice_s1 = invoices.filtered(
            lambda m: self.point_s1 in m.meter_billing_line_ids.billing_point_id
        )
        (invoices - invoice_s1)._reverse_moves(cancel=True)
        credit = invoice_s1._reverse_moves()
        solar = credit.invoice_line_ids.filtered(lambda line: line.quantity == 93)
        self.assertEqual(len(solar), 1)
        credit.write(
            {
                "invoice_line_ids": [
                    Command.unlink(line.id) for line in credit.invoice_line_ids - solar
                ]
                + [Command.update(solar.id, {"quantity": 10})]
            }
        )
        credit.action_post()
        self.assertEqual(self._sold(statement), (83, 16.60, 4, -592.32))

    def test_credit_notes_reversing_no_invoice(self):
        """The solar component gets its own product (Solar electricity), and
        three credit notes are made by hand, reversing no invoice: to S1's
        tenant on 20 January, 10 kWh of solar at 0.20 = 2.00 (counted); to
        the same tenant, 5 kWh of the energy product the grid component also
        uses (left out: it cannot tell solar from grid); to the same tenant
        on 5 February, 4 kWh of solar (outside the period: left out).
        Solar sold: 372 - 10 = 362 kWh, 74.40 - 2.00 = 72.40, 3 lines; net
        72.40 + 21.08 - 600.00 - 30.00 = -536.52."""
        solar_product = self.env["product.product"].create(
            {"name": "Solar electricity", "type": "service"}
        )
        self.solar_tariff.version_ids.component_ids.filtered(
            lambda c: c.part == "solar"
        ).product_id = solar_product
        statement = self._statement(bill=True)
        for day, product, quantity in (
            ("2026-01-20", solar_product, 10),
            ("2026-01-20", self.product_energy, 5),
            ("2026-02-05", solar_product, 4),
        ):
            self.env["account.move"].create(
                {
                    "move_type": "out_refund",
                    "partner_id": self.tenant1.id,
                    "invoice_date": day,
                    "date": day,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "quantity": quantity,
                                "price_unit": 0.20,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            ).action_post()
        self.assertEqual(self._sold(statement), (362, 72.40, 3, -536.52))

    def test_posting_is_idempotent(self):
        """Posting posts both vendor bills and one entry: DSO receivable
        debit 21.08, feed-in income credit 21.08; posting again adds
        nothing."""
        statement = self._statement(bill=True)
        statement.action_post()
        self.assertEqual(statement.state, "posted")
        self.assertEqual(
            (self.dso_bill | self.fee_bill).mapped("state"), ["posted"] * 2
        )
        entry = statement.export_move_id
        self.assertEqual(entry.state, "posted")
        self.assertEqual(
            sorted(
                (line.account_id, line.debit, line.credit) for line in entry.line_ids
            ),
            sorted(
                [
                    (self.dso.property_account_receivable_id, 21.08, 0),
                    (self.feed_in_account, 0, 21.08),
                ]
            ),
        )
        moves = self.env["account.move"].search_count([])
        statement.action_post()
        self.assertEqual(statement.export_move_id, entry)
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        with self.assertRaises(UserError):
            statement.action_compute()

    def test_statement_refuses_bad_periods(self):
        """An annual 2026 statement needs February to December shared; a
        period must be whole months; one statement per period."""
        annual = self._statement(
            statement_type="annual", date_from="2026-01-01", date_to="2026-12-31"
        )
        with self.assertRaisesRegex(UserError, "2026-02-01"):
            annual.action_compute()
        with self.assertRaises(ValidationError):
            self._statement(date_from="2026-01-01", date_to="2026-01-30")
        self._statement()
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            self._statement()

    def test_feed_in_needs_dso_and_account(self):
        self.community.export_account_id = False
        statement = self._statement()
        with self.assertRaisesRegex(UserError, "feed-in income account"):
            statement.action_post()
        self.assertEqual(statement.state, "draft")

    def test_grid_meter_reconciliation(self):
        """Grid meter GRID-S of January: import T1 2630 kWh, export T2 240
        kWh; computed import 2604, export 248 (fixture). Tolerance 1 %:
        import 2630 - 2604 = 26 <= 1 % x 2630 = 26.3, export 240 - 248 = -8,
        |-8| > 1 % x 248 = 2.48: the month is flagged. At 4 %: export 8 <=
        9.92 and import 26 <= 105.2: not flagged."""
        grid = self._meter("GRID-S", self.unit_s1, registers=2)
        self.env["meter.interval"]._bulk_load(
            [
                (grid.id, "T1", datetime(2026, 1, 10, 12, 0), "2000"),
                (grid.id, "T1", datetime(2026, 1, 20, 12, 0), "630"),
                (grid.id, "T2", datetime(2026, 1, 10, 12, 0), "240"),
                # February: outside the month
                (grid.id, "T1", datetime(2026, 2, 1, 0, 0), "99"),
            ]
        )
        self.community.grid_meter_id = grid
        self.community.action_compute(date(2026, 1, 1), date(2026, 1, 31))
        month = self.community.month_ids
        self.assertEqual(
            (
                month.grid_meter_import,
                month.grid_meter_export,
                month.import_difference,
                month.export_difference,
                month.grid_mismatch,
            ),
            (2630, 240, 26, -8, True),
        )
        self.community.grid_tolerance = 4
        self.community.action_reconcile_grid()
        self.assertFalse(month.grid_mismatch)
