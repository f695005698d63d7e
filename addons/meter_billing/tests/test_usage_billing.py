# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from psycopg2 import IntegrityError

from odoo.fields import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestUsageBilling(MeterBillingCommon):
    """Usage sessions (EV charging, laundry) priced by the usage components
    of the billing point's tariff and invoiced to the occupant who badged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        product = cls.env["product.product"].create(
            {"name": "Usage", "type": "service"}
        )
        cls.tiered.version_ids.component_ids = [
            Command.create(
                {
                    "name": name,
                    "product_id": product.id,
                    "component_type": kind,
                    "session_kind": session_kind,
                    "price": price,
                    "sequence": 50 + i,
                    "invoice_group": "Charging and laundry",
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
        ChargePoint = cls.env["meter.charge.point"]
        cls.wallbox = ChargePoint.create(
            {"name": "Wallbox", "identity": "WB-1", "site_id": cls.site_a.id}
        )
        cls.washer = ChargePoint.create(
            {
                "name": "Washer",
                "identity": "WASH-1",
                "site_id": cls.site_a.id,
                "usage_kind": "laundry",
            }
        )
        cls.occ_a1 = cls.unit_a1.occupancy_ids
        cls.occ_a2 = cls.unit_a2.occupancy_ids
        cls.sessions = {
            name: cls._session(cp, name, occupancy, stop, wh)
            for name, cp, occupancy, stop, wh in [
                ("ev1", cls.wallbox, cls.occ_a1, "2026-01-10 19:00:00", 7500),
                ("ev2", cls.wallbox, cls.occ_a1, "2026-01-20 19:00:00", 12345),
                ("wash1", cls.washer, cls.occ_a1, "2026-01-11 10:00:00", 900),
                ("wash2", cls.washer, cls.occ_a1, "2026-01-12 10:00:00", 850),
                ("ev_feb", cls.wallbox, cls.occ_a1, "2026-02-01 00:30:00", 3000),
                ("ev_a2", cls.wallbox, cls.occ_a2, "2026-01-15 08:00:00", 2000),
                ("running", cls.wallbox, cls.occ_a1, False, 1000),
            ]
        }

    @classmethod
    def _session(cls, charge_point, name, occupancy, stop, wh):
        return cls.env["meter.usage.session"].create(
            {
                "charge_point_id": charge_point.id,
                "kind": charge_point.usage_kind,
                "transaction_id": name,
                "occupancy_id": occupancy.id,
                "partner_id": occupancy.partner_id.id,
                "start_at": "2026-01-01 00:00:00" if not stop else stop,
                "stop_at": stop,
                "state": "stopped" if stop else "running",
                "meter_start_wh": 0,
                "meter_stop_wh": wh if stop else 0,
                "meter_last_wh": wh,
            }
        )

    def test_sessions_on_the_residents_invoice_once(self):
        """January, tenant one (A1): 300 kWh tiered = 159.49 (as in the
        tiered test), EV 7.5 + 12.345 = 19.845 kWh x 0.35 = 6.94575 -> 6.95,
        2 EV sessions x 1.00 = 2.00, 2 washes x 2.50 = 5.00: 173.44.
        Tenant two (A2): 292.15 + 2 x 0.35 = 0.70 + 1.00 = 293.85. The
        session stopped on February 1 and the running one are not billed."""
        run = self._bill(self._run(sites=self.site_a))
        move1 = run.move_ids.filtered(lambda m: m.partner_id == self.tenant1)
        move2 = run.move_ids.filtered(lambda m: m.partner_id == self.tenant2)
        self.assertAlmostEqual(move1.amount_untaxed, 173.44, places=2)
        self.assertAlmostEqual(move2.amount_untaxed, 293.85, places=2)
        usage = run.line_ids.filtered(
            lambda line: (
                line.component_type.startswith("usage_")
                and line.partner_id == self.tenant1
            )
        )
        self.assertEqual(
            [(line.name, line.quantity, line.amount) for line in usage],
            [
                ("EV energy", 19.845, 6.95),
                ("EV session fee", 2.0, 2.0),
                ("Washing machine", 2.0, 5.0),
            ],
        )
        s = self.sessions
        self.assertEqual(
            usage[0].usage_link_ids.session_id, s["ev1"] | s["ev2"], "evidence"
        )
        self.assertEqual(s["wash1"].billing_line_id, usage[2])
        self.assertFalse(s["ev_feb"].billing_link_ids | s["running"].billing_link_ids)
        self.assertIn("Charging and laundry", move1.invoice_line_ids.mapped("name"))

        # February bills the session of February 1 only: 3 kWh x 0.35 = 1.05
        # and one session fee 1.00 on top of tenant one's February energy
        with freeze_time("2026-03-10 12:00:00"):
            self._reading(self.meter_a1, "2026-03-01 00:00:00", 1400)
            feb = self._run(
                points=self.point_a1, date_from="2026-02-01", date_to="2026-02-28"
            )
            feb.action_compute()
            with self._cron_budget(None):
                feb._process()
        self.assertEqual(
            feb.result_ids.mapped("state"), ["ok"], feb.result_ids.block_reason
        )
        feb_usage = feb.line_ids.filtered(
            lambda line: line.component_type.startswith("usage_")
        )
        self.assertEqual(
            [(line.quantity, line.amount) for line in feb_usage], [(3.0, 1.05), (1, 1)]
        )
        self.assertEqual(feb_usage.usage_link_ids.session_id, s["ev_feb"])

        # the database refuses a second billing of a session
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env["meter.usage.billing"].create(
                    {"session_id": s["ev1"].id, "line_id": feb_usage[0].id}
                )

    def test_badge_billing_point_and_unpriced_kind(self):
        """A badge bound to billing point A2 sends its holder's sessions
        there; eBike sessions have no price in the tariff: left unbilled."""
        badge = self.env["meter.badge"].create(
            {
                "token": "AA01",
                "site_id": self.site_a.id,
                "occupancy_id": self.occ_a1.id,
                "billing_point_id": self.point_a2.id,
            }
        )
        self.sessions["ev1"].badge_id = badge
        ebike = self.env["meter.charge.point"].create(
            {
                "name": "eBike",
                "identity": "EB-1",
                "site_id": self.site_a.id,
                "usage_kind": "ebike",
            }
        )
        bike = self._session(ebike, "b1", self.occ_a1, "2026-01-05 10:00:00", 400)
        run = self._run(sites=self.site_a)
        run.action_compute()
        with self._cron_budget(None):
            run._process()
        ev1_line = self.sessions["ev1"].billing_line_id
        self.assertEqual(ev1_line.billing_point_id, self.point_a2)
        self.assertEqual(ev1_line.partner_id, self.tenant1, "the occupant who badged")
        self.assertFalse(bike.billing_link_ids)
