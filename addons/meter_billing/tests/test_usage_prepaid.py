# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from psycopg2 import IntegrityError

from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestUsagePrepaid(MeterBillingCommon):
    """Unit P1 (tenant Resident, prepaid) with meter EL-P1 on a flat tariff:
    energy 0.50 per kWh, EV energy 0.35 per kWh, an EV session fee of 1.00
    and a wash at 2.50. Readings at UTC midnight: Jan 1 1000, Jan 2 1010,
    Jan 3 1030, Jan 4 1100 kWh (the days use 10, 20 and 70 kWh). Sessions of
    the resident: EV 7.5 kWh stopped Jan 2 19:00, a wash stopped Jan 3 10:00,
    EV 12.345 kWh stopped Jan 4 08:00 (after the deducted days). Unit A1
    (tenant one, not prepaid) charges 2 kWh on the same wallbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.resident = env["res.partner"].create({"name": "Resident"})
        cls.unit_p1 = cls._unit("P1", cls.building_a, cls.resident)
        cls.meter_p1 = cls._meter("EL-P1", cls.unit_p1)
        cls.flat = cls._flat_tariff("Prepaid flat", 0.50)
        cls.flat.version_ids.component_ids = [
            Command.create(
                {
                    "name": name,
                    "product_id": cls.product_fixed.id,
                    "component_type": kind,
                    "session_kind": session_kind,
                    "price": price,
                    "sequence": 50 + i,
                }
            )
            for i, (name, kind, session_kind, price) in enumerate(
                [
                    ("EV energy", "usage_kwh", "ev", 0.35),
                    ("EV session fee", "usage_session", "ev", 1.00),
                    ("Washing machine", "usage_session", "laundry", 2.50),
                ]
            )
        ]
        cls.tiered.version_ids.component_ids = [
            Command.create(
                {
                    "name": "EV energy",
                    "product_id": cls.product_fixed.id,
                    "component_type": "usage_kwh",
                    "price": 0.35,
                }
            )
        ]
        cls.point_p1 = cls._point(cls.unit_p1, cls.meter_p1, cls.flat)
        for day, value in ((1, 1000), (2, 1010), (3, 1030), (4, 1100)):
            cls._reading(
                cls.meter_p1, f"2026-01-0{day} 00:00:00", value, confirm_anomaly=True
            )
        ChargePoint = env["meter.charge.point"]
        wallbox = ChargePoint.create(
            {"name": "Wallbox", "identity": "WB-P", "site_id": cls.site_a.id}
        )
        washer = ChargePoint.create(
            {
                "name": "Washer",
                "identity": "WASH-P",
                "site_id": cls.site_a.id,
                "usage_kind": "laundry",
            }
        )
        occupancy = cls.unit_p1.occupancy_ids
        cls.ev1, cls.wash, cls.ev2, cls.ev_a1 = (
            env["meter.usage.session"].create(
                {
                    "charge_point_id": cp.id,
                    "kind": cp.usage_kind,
                    "transaction_id": name,
                    "occupancy_id": occ.id,
                    "partner_id": occ.partner_id.id,
                    "start_at": stop,
                    "stop_at": stop,
                    "state": "stopped",
                    "meter_start_wh": 0,
                    "meter_stop_wh": wh,
                }
            )
            for name, cp, occ, stop, wh in [
                ("p-ev1", wallbox, occupancy, "2026-01-02 19:00:00", 7500),
                ("p-wash", washer, occupancy, "2026-01-03 10:00:00", 900),
                ("p-ev2", wallbox, occupancy, "2026-01-04 08:00:00", 12345),
                (
                    "a1-ev",
                    wallbox,
                    cls.unit_a1.occupancy_ids,
                    "2026-01-02 08:00:00",
                    2000,
                ),
            ]
        )
        cls.account = env["meter.prepaid.account"].create(
            {
                "billing_point_id": cls.point_p1.id,
                "partner_id": cls.resident.id,
                "max_balance": 500.0,
            }
        )
        env["meter.prepaid.payment"].create(
            {
                "account_id": cls.account.id,
                "kind": "top_up",
                "amount": 200.0,
                "journal_id": cls.company_data["default_journal_cash"].id,
                "date": "2026-01-01",
            }
        ).action_confirm()

    def _deduct(self, until):
        with self._cron_budget(None):
            self.env["meter.prepaid.account"]._cron_deduct(until=until)

    def _usage_moves(self):
        return self.account.move_ids.filtered(lambda m: m.move_type == "usage").sorted(
            "date"
        )

    def test_sessions_deducted_once_not_invoiced(self):
        """Deducted to Jan 3: the days' energy 10 x 0.50 = 5.00, 20 x 0.50 =
        10.00, 70 x 0.50 = 35.00 (50.00 in all, no session in them); the
        sessions one by one on their stop day: EV Jan 2 7.5 x 0.35 = 2.625 ->
        2.63 + fee 1.00 = 3.63; the wash Jan 3 2.50. Balance 200.00 - 50.00 -
        3.63 - 2.50 = 143.87. The EV session of Jan 4 waits for Jan 4.
        Deducting again adds nothing. Jan 4's energy cannot be valued (no
        reading after it) but its session is: 12.345 x 0.35 = 4.32075 -> 4.32
        + 1.00 = 5.32."""
        self._deduct(date(2026, 1, 3))
        usage = self._usage_moves()
        self.assertEqual(usage.usage_session_id, self.ev1 | self.wash)
        self.assertEqual(usage.mapped("amount"), [3.63, 2.5])
        self.assertEqual(usage.mapped("date"), [date(2026, 1, 2), date(2026, 1, 3)])
        self.assertEqual(
            usage[0].line_ids.mapped("amount"), [2.63, 1.0], "one line per component"
        )
        self.assertEqual(usage[0].line_ids[0].quantity, 7.5)
        deductions = self.account.move_ids.filtered(
            lambda m: m.move_type == "deduction"
        )
        self.assertEqual(sum(deductions.mapped("amount")), 50.0)
        self.assertFalse(
            deductions.line_ids.component_id.filtered(
                lambda c: c.component_type.startswith("usage_")
            ),
            "sessions are not in the month-to-date deduction",
        )
        self.assertEqual(self.account.balance, 143.87)
        entry = usage[0].account_move_id
        self.assertEqual(entry.state, "posted")
        self.assertEqual(sum(entry.line_ids.mapped("credit")), 3.63)

        self._deduct(date(2026, 1, 3))
        self.account.deducted_until = date(2026, 1, 2)
        self._deduct(date(2026, 1, 3))
        self.assertEqual(self._usage_moves(), usage, "never deducted twice")
        self.assertEqual(self.account.balance, 143.87)

        self._deduct(date(2026, 1, 4))
        self.assertEqual(self._usage_moves()[-1:].usage_session_id, self.ev2)
        self.assertEqual(self._usage_moves()[-1:].amount, 5.32)

        # the database refuses a second deduction of a session
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env["meter.prepaid.move"]._create_posted(
                    [
                        {
                            "account_id": self.account.id,
                            "move_type": "usage",
                            "usage_session_id": self.ev1.id,
                            "date": date(2026, 1, 2),
                            "line_ids": [
                                Command.create(
                                    {
                                        "name": "again",
                                        "product_id": self.product_fixed.id,
                                        "amount": 1.0,
                                        "quantity": 1,
                                    }
                                )
                            ],
                        }
                    ]
                )

    def test_prepaid_sessions_not_invoiced(self):
        """The invoice lines of January: the prepaid resident's sessions are
        none of point P1's lines (deducted or not yet); tenant one's 2 kWh on
        point A1 are: 2 x 0.35 = 0.70."""
        self.assertEqual(
            self.point_p1._prepare_usage_lines(date(2026, 1, 1), date(2026, 1, 31), {}),
            [],
        )
        lines = self.point_a1._prepare_usage_lines(
            date(2026, 1, 1), date(2026, 1, 31), {}
        )
        self.assertEqual([(v["quantity"], v["amount"]) for v in lines], [(2.0, 0.7)])
