# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date
from decimal import Decimal

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestPrepaid(MeterBillingCommon):
    """Unit P1 (tenant Resident) with electricity meter EL-P1 on a flat tariff:
    energy 0.50 per kWh and a meter fee of 31.00 per month, i.e. 1.00 per day
    in January (31 days). Readings at local (UTC) midnight:
    Jan 1 1000, Jan 2 1010, Jan 3 1030, Jan 4 1100, Jan 5 1160 kWh, so the
    days use 10, 20, 70 and 60 kWh. Thresholds: alarm 1 at 50.00, alarm 2 at
    20.00, restore at 50.00, no overdraft, at most 500.00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.resident = env["res.partner"].create(
            {"name": "Resident", "email": "resident@example.com"}
        )
        cls.unit_p1 = cls._unit("P1", cls.building_a, cls.resident)
        cls.meter_p1 = cls._meter("EL-P1", cls.unit_p1)
        cls.flat = cls._flat_tariff("Prepaid flat", 0.50)
        cls.flat.version_ids.component_ids = [
            Command.create(
                {
                    "name": "Meter fee",
                    "product_id": cls.product_fixed.id,
                    "component_type": "fixed",
                    "price": 31.0,
                }
            )
        ]
        cls.point_p1 = cls._point(cls.unit_p1, cls.meter_p1, cls.flat)
        for day, value in ((1, 1000), (2, 1010), (3, 1030), (4, 1100), (5, 1160)):
            cls._reading(
                cls.meter_p1, f"2026-01-0{day} 00:00:00", value, confirm_anomaly=True
            )
        cls.cash = cls.company_data["default_journal_cash"]
        cls.account = env["meter.prepaid.account"].create(
            {
                "billing_point_id": cls.point_p1.id,
                "partner_id": cls.resident.id,
                "alarm1_amount": 50.0,
                "alarm2_amount": 20.0,
                "restore_amount": 50.0,
                "max_balance": 500.0,
            }
        )

    def _pay(
        self, amount, kind="top_up", day="2026-01-01", reference=None, account=None
    ):
        wizard = self.env["meter.prepaid.payment"].create(
            {
                "account_id": (account or self.account).id,
                "kind": kind,
                "amount": amount,
                "journal_id": self.cash.id,
                "date": day,
                "reference": reference,
            }
        )
        wizard.action_confirm()

    def _deduct(self, until):
        with self._cron_budget(None):
            self.env["meter.prepaid.account"]._cron_deduct(until=until)

    def _liability(self):
        """What the ledger owes the resident on the prepayment account."""
        account = self.env.company.meter_prepaid_account_id
        lines = self.env["account.move.line"].search(
            [
                ("account_id", "=", account.id),
                ("partner_id", "=", self.resident.id),
                ("parent_state", "=", "posted"),
            ]
        )
        return -sum(lines.mapped("balance"))

    def test_opening_top_up_is_a_liability(self):
        """The first top-up of 100.00 in cash opens the account: the cash
        account is debited 100.00 and the customer prepayment account (a
        current liability) credited 100.00 for the resident."""
        self._pay(100.0)
        self.assertEqual(self.account.state, "open")
        self.assertEqual(self.account.balance, 100.0)
        liability = self.env.company.meter_prepaid_account_id
        self.assertEqual(liability.account_type, "liability_current")
        entry = self.account.move_ids.account_move_id
        self.assertEqual(entry.state, "posted")
        self.assertRecordValues(
            entry.line_ids.sorted("balance"),
            [
                {"account_id": liability.id, "balance": -100.0},
                {"account_id": self.cash.default_account_id.id, "balance": 100.0},
            ],
        )
        self.assertEqual(self._liability(), 100.0)

    def test_daily_deductions_per_day_and_component(self):
        """Top-up 100.00 on Jan 1, deductions of Jan 1-3 (month to date minus
        what was deducted):
        Jan 1: 10 kWh x 0.50 = 5.00 + fee 31 x 1/31 = 1.00 -> 6.00, balance 94.00
        Jan 2: 30 x 0.50 = 15.00 - 5.00 = 10.00; fee 2.00 - 1.00 = 1.00 -> 11.00,
               balance 83.00
        Jan 3: 100 x 0.50 = 50.00 - 15.00 = 35.00; fee 1.00 -> 36.00,
               balance 47.00 < alarm 1 (50): the resident is e-mailed, supply
               stays on.
        Three entries, each debiting the liability and crediting revenue per
        component; the ledger owes 47.00."""
        self._pay(100.0)
        self._deduct(date(2026, 1, 3))
        deductions = self.account.move_ids.filtered(
            lambda m: m.move_type == "deduction"
        ).sorted("date")
        self.assertEqual(deductions.mapped("amount"), [6.0, 11.0, 36.0])
        self.assertEqual(len(deductions.account_move_id), 3)
        self.assertEqual(
            deductions[2].line_ids.sorted("amount").mapped("amount"), [1.0, 35.0]
        )
        self.assertEqual(
            deductions[2].line_ids.sorted("amount")[1].amount_to_date, 50.0
        )
        self.assertRecordValues(
            self.account,
            [
                {
                    "balance": 47.0,
                    "level": "alarm1",
                    "supply": "on",
                    "deducted_until": date(2026, 1, 3),
                }
            ],
        )
        self.assertEqual(self._liability(), 47.0)
        mail = self.env["mail.mail"].search(
            [("model", "=", "meter.prepaid.account"), ("res_id", "=", self.account.id)]
        )
        self.assertTrue(mail, "alarm 1 e-mail sent")
        revenue = deductions.account_move_id.line_ids.filtered(
            lambda line: line.product_id == self.product_energy
        )
        self.assertEqual(sum(revenue.mapped("credit")), 50.0)

    def test_opened_mid_month(self):
        """Opened by a top-up of 100.00 on Jan 3: Jan 1-2 are not deducted;
        Jan 3 = 70 kWh x 0.50 = 35.00 + fee 31 x 1/31 = 1.00 -> 36.00,
        balance 64.00."""
        self._pay(100.0, day="2026-01-03")
        self.assertEqual(self.account.date_start, date(2026, 1, 3))
        self._deduct(date(2026, 1, 3))
        self.assertEqual(
            self.account.move_ids.filtered(lambda m: m.move_type == "deduction").amount,
            36.0,
        )
        self.assertEqual(self.account.balance, 64.0)

    def test_restart_never_deducts_twice(self):
        """Running the deduction again for Jan 1-3 adds nothing; nor does it
        when the day marker lags behind the posted moves (a job killed between
        both: each day deducts the month to date minus what was deducted);
        a second deduction row for one account and day is refused by the
        database."""
        self._pay(100.0)
        self._deduct(date(2026, 1, 3))
        moves = self.account.move_ids
        self._deduct(date(2026, 1, 3))
        self.account.deducted_until = date(2026, 1, 1)
        self._deduct(date(2026, 1, 3))
        self.assertEqual(self.account.move_ids, moves)
        self.assertEqual(self.account.balance, 47.0)
        line = {
            "name": "Energy",
            "product_id": self.product_energy.id,
            "quantity": 1.0,
            "amount": 0.5,
        }
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self.env["meter.prepaid.move"]._create_posted(
                    [
                        {
                            "account_id": self.account.id,
                            "move_type": "deduction",
                            "date": date(2026, 1, 3),
                            "line_ids": [Command.create(line)],
                        }
                    ]
                )
        self.assertEqual(self.account.move_ids, moves)

    def test_alarm2_cuts_and_top_up_restores(self):
        """After Jan 4 (60 kWh x 0.50 = 30.00 + fee 1.00 = 31.00) the balance
        is 47.00 - 31.00 = 16.00 < alarm 2 (20): supply off with the reason
        logged. The grace re-close switches it on once; a top-up of 30.00 gives
        46.00 < restore 50: stays as it is; 4.00 more gives 50.00: on and
        re-armed."""
        self._pay(100.0)
        self._deduct(date(2026, 1, 4))
        self.assertRecordValues(
            self.account, [{"balance": 16.0, "level": "alarm2", "supply": "off"}]
        )
        self.assertIn("Alarm 2", self.account.message_ids[0].body)
        hardware = "supply_desired" in self.meter_p1._fields
        if hardware:
            self.assertEqual(self.meter_p1.supply_desired, "off")
        self.account.action_reclose()
        self.assertRecordValues(self.account, [{"supply": "on", "grace_used": True}])
        self._pay(30.0, day="2026-01-05")
        self.assertRecordValues(self.account, [{"balance": 46.0, "supply": "on"}])
        self._pay(4.0, day="2026-01-05")
        self.assertRecordValues(
            self.account, [{"balance": 50.0, "supply": "on", "grace_used": False}]
        )
        if hardware:
            self.assertEqual(self.meter_p1.supply_desired, "on")

    def test_refusals(self):
        """Negative, zero, sub-cent top-ups, a balance above the maximum of
        500.00 (400 + 100.01), a refund above the balance and a closed account
        are refused; nothing is posted."""
        self._pay(400.0)
        for amount in (-10.0, 0.0, 100.01):
            with self.assertRaises(UserError):
                self._pay(amount)
        with self.assertRaises(UserError):
            self.env["meter.prepaid.move"]._create_posted(
                [
                    {
                        "account_id": self.account.id,
                        "move_type": "top_up",
                        "date": "2026-01-01",
                        "amount": "10.001",
                        "journal_id": self.cash.id,
                    }
                ]
            )
        with self.assertRaises(UserError):
            self._pay(400.01, kind="refund")
        self.assertEqual(len(self.account.move_ids), 1)
        with self.assertRaises(UserError):
            self.account.action_close()  # still holds 400.00
        self._pay(400.0, kind="refund")
        self.assertEqual(self.account.balance, 0.0)
        self.assertEqual(self._liability(), 0.0)
        self.account.action_close()
        with self.assertRaises(UserError):
            self._pay(10.0)

    def test_desk_reference_credits_once(self):
        """A payment reference is credited once (idempotency key)."""
        self._pay(50.0, reference="DESK-0001")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self._pay(50.0, reference="DESK-0001")
        self.assertEqual(self.account.balance, 50.0)

    def test_backbilling_posts_the_difference(self):
        """Jan 1-3 deducted at 0.50 (100 kWh = 50.00); the energy price is
        corrected to 0.60: back-billing Jan 1-31 recomputes Jan 1-3 (deducted
        until Jan 3) = 100 x 0.60 = 60.00 and posts only 60.00 - 50.00 = 10.00
        on the energy line; the fee is unchanged (3.00) and has no line.
        Balance 47.00 - 10.00 = 37.00."""
        self._pay(100.0)
        self._deduct(date(2026, 1, 3))
        energy = self.flat.version_ids.component_ids.filtered(
            lambda c: c.component_type == "energy"
        )
        energy.price = 0.60
        moves = self.account._backbill(
            date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 10)
        )
        self.assertRecordValues(moves, [{"move_type": "backbill", "amount": 10.0}])
        self.assertRecordValues(
            moves.line_ids,
            [{"component_id": energy.id, "amount": 10.0, "amount_to_date": 60.0}],
        )
        self.assertEqual(self.account.balance, 37.0)
        self.assertEqual(self._liability(), 37.0)

    def test_reconciliation(self):
        """After a top-up and three deductions the reconciliation shows
        balance = moves = ledger = 47.00 and no difference; a manual entry of
        5.00 on the prepayment account for the resident shows as a 5.00
        difference."""
        self._pay(100.0)
        self._deduct(date(2026, 1, 3))
        self.env.flush_all()
        row = self.env["meter.prepaid.reconciliation"].search(
            [("account_id", "=", self.account.id)]
        )
        self.assertRecordValues(
            row,
            [
                {
                    "balance": 47.0,
                    "moves_total": 47.0,
                    "ledger_balance": 47.0,
                    "partner_ledger": 47.0,
                    "difference": 0.0,
                }
            ],
        )
        liability = self.env.company.meter_prepaid_account_id
        manual = self.env["account.move"].create(
            {
                "journal_id": self.company_data["default_journal_misc"].id,
                "date": "2026-01-05",
                "line_ids": [
                    Command.create(
                        {
                            "account_id": liability.id,
                            "partner_id": self.resident.id,
                            "balance": -5.0,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": self.cash.default_account_id.id,
                            "balance": 5.0,
                        }
                    ),
                ],
            }
        )
        manual.action_post()
        self.env.flush_all()
        row.invalidate_recordset()
        self.assertEqual(row.difference, 5.0)

    def test_access_per_role(self):
        """A billing officer of site A tops up P1 (site A); a meter reader
        cannot read prepaid accounts; a billing officer of another site does
        not see the account."""
        cash = self.cash
        self.env.company.meter_prepaid_account_id = (
            self.env.company._meter_prepaid_liability_account()
        )
        wizard = (
            self.env["meter.prepaid.payment"]
            .with_user(self.billing_a)
            .create(
                {
                    "account_id": self.account.id,
                    "amount": 20.0,
                    "journal_id": cash.id,
                    "date": "2026-01-01",
                }
            )
        )
        wizard.action_confirm()
        self.assertEqual(self.account.balance, 20.0)
        with self.assertRaises(AccessError):
            self.account.with_user(self.reader_a).read(["balance"])
        billing_b = self._user(
            "billing_b", "meter_base.meter_base_group_billing", self.site_b
        )
        self.assertFalse(
            self.env["meter.prepaid.account"]
            .with_user(billing_b)
            .search([("id", "=", self.account.id)])
        )
        self.assertEqual(Decimal(str(self.account.balance)), Decimal("20.0"))

    def test_dormitory_water_arrears_cut_electricity(self):
        """Dormitory mode: cold water meter W-P1 (no valve) on a second billing
        point at 5.00 per m3, read Jan 1 10, Jan 2 19, Jan 3 26 m3, deducted
        from the same balance as the electricity.
        Jan 1: electricity 6.00 + water 9 m3 x 5.00 = 45.00 -> 51.00,
               balance 100.00 - 51.00 = 49.00 (alarm 1, on)
        Jan 2: electricity 11.00 + water 7 x 5.00 = 35.00 -> 46.00,
               balance 3.00 < alarm 2: the electricity meter is switched off
               although the arrears come from water."""
        water = self.env.ref("meter_base.resource_cold_water")
        meter_w = self.env["meter.meter"].create(
            {
                "name": "W-P1",
                "unit_id": self.unit_p1.id,
                "resource_id": water.id,
                "commissioning_date": "2025-01-01",
            }
        )
        for day, value in ((1, 10), (2, 19), (3, 26)):
            self._reading(
                meter_w, f"2026-01-0{day} 00:00:00", value, confirm_anomaly=True
            )
        point_w = self._point(self.unit_p1, meter_w, self._flat_tariff("Water", 5.0))
        self.account.write(
            {"dormitory": True, "extra_point_ids": [Command.set(point_w.ids)]}
        )
        self.assertEqual(self.account.meter_ids, self.meter_p1 | meter_w)
        self._pay(100.0)
        self._deduct(date(2026, 1, 2))
        deductions = self.account.move_ids.filtered(
            lambda m: m.move_type == "deduction"
        ).sorted("date")
        self.assertEqual(deductions.mapped("amount"), [51.0, 46.0])
        self.assertEqual(
            deductions[1]
            .line_ids.filtered(lambda line: line.billing_point_id == point_w)
            .amount,
            35.0,
        )
        self.assertRecordValues(
            self.account, [{"balance": 3.0, "level": "alarm2", "supply": "off"}]
        )
        if "supply_desired" in self.meter_p1._fields:
            self.assertEqual(self.meter_p1.supply_desired, "off")

    def test_common_area_apportionment_by_area(self):
        """Common meter C-A of house A uses 100 kWh in January (0 -> 100),
        priced 0.30: 30.00. The open prepaid accounts of house A are P1 (60 m2)
        and A2 (40 m2): P1 pays 30.00 x 60/100 = 18.00 (60 kWh), A2 12.00
        (40 kWh); balances 100.00 - 18.00 = 82.00 and 50.00 - 12.00 = 38.00.
        The same month and resource cannot be apportioned twice."""
        account_a2 = self._common_area_january()
        wizard = self._apportion_wizard(self.product_fixed)
        wizard.action_confirm()
        moves = (self.account | account_a2).move_ids.filtered(
            lambda m: m.move_type == "apportion"
        )
        self.assertRecordValues(
            moves.line_ids.sorted("amount"),
            [{"quantity": 40.0, "amount": 12.0}, {"quantity": 60.0, "amount": 18.0}],
        )
        self.assertEqual(self.account.balance, 82.0)
        self.assertEqual(account_a2.balance, 38.0)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                wizard.action_confirm()

    def _common_area_january(self):
        """Areas P1 60 m2 and A2 40 m2, common meter C-A of house A at 0 on
        Jan 1 and 100 kWh on Feb 1, top-ups of 100.00 on P1 and 50.00 on a
        new account of A2 (returned)."""
        for unit, area in ((self.unit_p1, 60.0), (self.unit_a2, 40.0)):
            self.env["meter.unit.basis"].create(
                {
                    "unit_id": unit.id,
                    "kind": "area",
                    "value": area,
                    "date_from": "2025-01-01",
                }
            )
        common = self.env["meter.meter"].create(
            {
                "name": "C-A",
                "kind": "common",
                "building_id": self.building_a.id,
                "resource_id": self.electricity.id,
                "commissioning_date": "2025-01-01",
            }
        )
        self._reading(common, "2026-01-01 00:00:00", 0)
        self._reading(common, "2026-02-01 00:00:00", 100, confirm_anomaly=True)
        account_a2 = self.env["meter.prepaid.account"].create(
            {"billing_point_id": self.point_a2.id, "partner_id": self.tenant2.id}
        )
        self._pay(100.0)
        self._pay(50.0, account=account_a2)
        return account_a2

    def _apportion_wizard(self, product):
        """January's common electricity of house A by area at 0.30 per kWh,
        posted on Feb 1 with ``product``."""
        return self.env["meter.prepaid.apportion"].create(
            {
                "building_id": self.building_a.id,
                "resource_id": self.electricity.id,
                "month": "2026-01-15",
                "method": "area",
                "price": 0.30,
                "product_id": product.id,
                "date": "2026-02-01",
            }
        )

    def _online_transaction(self, amount):
        """A transaction of a provider without implementation (code 'none',
        as Odoo's payment tests use) paid into the bank journal."""
        method = self.env.ref("payment.payment_method_unknown")
        provider = self.env["payment.provider"].create(
            {
                "name": "Test provider",
                "code": "none",
                "state": "test",
                "journal_id": self.company_data["default_journal_bank"].id,
                "payment_method_ids": [Command.set(method.ids)],
            }
        )
        method.active = True
        Transaction = self.env["payment.transaction"]
        return Transaction.create(
            {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "reference": Transaction._compute_reference("none", prefix="PRE"),
                "operation": "online_redirect",
                **self.account._prepare_top_up_transaction_values(amount),
            }
        )

    def test_online_top_up_credited_once_and_restores_supply(self):
        """Balance 16.00 after Jan 4 (alarm 2, supply off, see above). An online
        top-up of 40.00 is paid: its post-processing credits 56.00 >= restore
        50.00, supply back on; a second notification (post-processing again)
        credits nothing more. The ledger owes 56.00. A top-up of 444.01 would
        pass the maximum of 500.00 (56.00 + 444.01) and is refused before any
        payment."""
        self._pay(100.0)
        self._deduct(date(2026, 1, 4))
        self.assertEqual(self.account.supply, "off")
        tx = self._online_transaction(40.0)
        tx._set_done()
        tx._post_process()
        self.assertEqual(self.account.balance, 56.0)
        tx._create_payment()  # the same notification delivered twice
        top_ups = self.account.move_ids.filtered(lambda m: m.payment_reference)
        self.assertRecordValues(
            top_ups, [{"amount": 40.0, "payment_reference": tx.reference}]
        )
        self.assertFalse(tx.payment_id, "no customer payment against invoices")
        self.assertRecordValues(self.account, [{"balance": 56.0, "supply": "on"}])
        if "supply_desired" in self.meter_p1._fields:
            self.assertEqual(self.meter_p1.supply_desired, "on")
        self.assertEqual(self._liability(), 56.0)
        with self.assertRaises(UserError):
            self.account._prepare_top_up_transaction_values(444.01)
