# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MeterHardwareCommon, freeze_at_now


@tagged("post_install", "-at_install")
class TestAccessRights(MeterHardwareCommon):
    def setUp(self):
        super().setUp()
        self.gw_b = self.env["meter.gateway"].create(
            {"name": "GW B", "site_id": self.site_b.id, "host": "127.0.0.1"}
        )

    def test_reader_sees_site_gateways_without_credentials(self):
        Gateway = self.env["meter.gateway"].with_user(self.reader)
        self.assertEqual(
            Gateway.search([]), self.gw_modbus | self.gw_mbus | self.gw_shelly
        )
        self.assertEqual(self.gw_modbus.with_user(self.reader).name, "GW Modbus A")
        with self.assertRaises(AccessError):
            self.gw_modbus.with_user(self.reader).read(["password"])
        with self.assertRaises(AccessError):
            self.gw_modbus.with_user(self.reader).write({"poll_interval": 5})
        with self.assertRaises(AccessError):
            self.gw_b.with_user(self.reader).read(["name"])
        with self.assertRaises(AccessError):
            self.gw_modbus.with_user(self.reader).action_poll_now()

    @freeze_at_now
    def test_technician_configures_and_polls(self):
        gateway = self.gw_modbus.with_user(self.technician)
        self.assertEqual(gateway.password, "secret-pw")
        gateway.write({"poll_interval": 5, "router_kind": "4g", "router_sim": "8941"})
        gateway.action_poll_now()
        self.assertTrue(self._readings(self.meter_a1))
        self.assertTrue(gateway.poll_log_ids)
        with self.assertRaises(AccessError):
            gateway.poll_log_ids.unlink()
        with self.assertRaises(AccessError):
            self.env["meter.gateway"].with_user(self.technician).create(
                {"name": "GW X", "site_id": self.site_b.id, "host": "h"}
            )
        with self.assertRaises(AccessError):
            self.env["meter.alarm.route"].with_user(self.technician).create(
                {
                    "kind": "communication",
                    "group_id": self.env.ref("base.group_user").id,
                }
            )

    @freeze_at_now
    def test_poll_now_ignores_the_submission_window(self):
        """Polled on 2 March (frozen), outside a window of the 28th only: a
        gateway's reading is no submission."""
        rule = self.env["meter.rule"].create(
            {
                "resource_id": self.electricity.id,
                "site_id": self.site_a.id,
                "window_first_day": 28,
                "window_last_day": 28,
            }
        )
        rule.action_apply_once()
        self.gw_modbus.with_user(self.technician).action_poll_now()
        self.assertEqual(len(self._readings(self.meter_a1)), 1)
        self.assertEqual(self.gw_modbus.poll_log_ids.state, "ok")

    def test_reader_and_billing_cannot_switch_supply(self):
        for user in (self.reader, self.billing):
            with self.assertRaises(AccessError):
                self.env["meter.supply.set"].with_user(user).create(
                    {"meter_ids": self.meter_a1.ids, "desired": "off", "reason": "x"}
                )

    def test_manager_sees_everything(self):
        Gateway = self.env["meter.gateway"].with_user(self.manager)
        self.assertIn(self.gw_b, Gateway.search([]))
        self.gw_b.with_user(self.manager).unlink()
