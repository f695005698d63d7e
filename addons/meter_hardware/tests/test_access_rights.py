# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.meter_base.tests.site_sweep import SiteSweepMixin

from .common import MeterHardwareCommon, freeze_at_now


@tagged("post_install", "-at_install")
class TestAccessRights(SiteSweepMixin, MeterHardwareCommon):
    def setUp(self):
        super().setUp()
        self.gw_b = self.env["meter.gateway"].create(
            {"name": "GW B", "site_id": self.site_b.id, "host": "127.0.0.1"}
        )

    def test_sweep_no_cross_site_access(self):
        """No site-limited role reads, finds, changes, creates or deletes a
        gateway, mapping, poll log, alarm, relay command or register map of
        site B; shared register maps and alarm routes are changed by managers
        only."""
        env = self.env
        device_b = env["meter.gateway.device"].create(
            {"gateway_id": self.gw_b.id, "meter_id": self.meter_b1.id, "unit_id": 7}
        )
        map_b = self.sdm630_map.copy(
            {"code": "sdm630-site-b", "site_id": self.site_b.id}
        )
        self.sdm630_map.point_ids[:1].copy({"map_id": map_b.id})
        cp_b = env["meter.charge.point"].create(
            {"name": "CP B", "identity": "CP-B", "site_id": self.site_b.id}
        )
        session_b = env["meter.usage.session"].create(
            {
                "charge_point_id": cp_b.id,
                "transaction_id": "1",
                "start_at": "2026-01-05 10:00:00",
            }
        )
        ocpp_b = [
            cp_b,
            env["meter.charge.connector"].create(
                {"charge_point_id": cp_b.id, "number": 1}
            ),
            env["meter.charge.command"].create(
                {"charge_point_id": cp_b.id, "action": "reset", "params": {}}
            ),
            env["meter.badge"].create({"token": "B0B0", "site_id": self.site_b.id}),
            session_b,
        ]
        foreign = [
            self.gw_b,
            device_b,
            env["meter.poll.log"].create(
                {
                    "gateway_id": self.gw_b.id,
                    "started_at": "2026-01-05 10:00:00",
                    "state": "failed",
                }
            ),
            env["meter.alarm"].create(
                {"kind": "gateway_offline", "gateway_id": self.gw_b.id}
            ),
            env["meter.relay.command"].create(
                {
                    "meter_id": self.meter_b1.id,
                    "desired": "off",
                    "sent_at": "2026-01-05 10:00:00",
                    "state": "failed",
                }
            ),
            map_b,
            map_b.point_ids,
            *ocpp_b,
        ]
        shared = [
            self.sdm630_map,
            self.sdm630_map.point_ids,
            env["meter.alarm.route"].search([]),
        ]
        self._assert_sweep_covers({"meter_hardware"}, foreign, shared)
        self.assertEqual(foreign[3].site_id, self.site_b)
        for user in self.reader | self.technician | self.billing:
            for records in foreign:
                self._assert_refused(user, records)
            for records in shared:
                self._assert_refused(user, records, ("write", "create", "unlink"))

    def test_site_register_map_changed_by_its_technicians(self):
        """A map adapted for site A is changed by site A's technician and read by
        its reader; the shared maps are read by all and changed by managers."""
        map_a = self.sdm630_map.copy(
            {"code": "sdm630-site-a", "site_id": self.site_a.id}
        )
        map_a.with_user(self.technician).write({"max_gap": 4})
        self.sdm630_map.point_ids[:1].with_user(self.technician).copy(
            {"map_id": map_a.id}
        )
        Map = self.env["meter.register.map"].with_user(self.reader)
        self.assertIn(map_a, Map.search([]))
        self.assertIn(self.sdm630_map, Map.search([]))
        with self.assertRaises(AccessError):
            self.sdm630_map.with_user(self.technician).write({"max_gap": 4})

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

    def test_hardware_menus_hidden_from_readers(self):
        """A meter reader sees Metering but no Hardware menu (nor its
        entries); a technician sees it."""
        Menu = self.env["ir.ui.menu"]
        hardware = self.env.ref("meter_hardware.meter_hardware_menu")
        entries = hardware | self.env.ref("meter_hardware.meter_gateway_menu")
        reader_menus = Menu.with_user(self.reader).load_menus(False)
        self.assertIn(self.env.ref("meter_base.meter_base_menu_root").id, reader_menus)
        self.assertFalse(set(entries.ids) & set(reader_menus))
        technician_menus = Menu.with_user(self.technician).load_menus(False)
        self.assertLessEqual(set(entries.ids), set(technician_menus))

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
