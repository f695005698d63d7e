# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import MeterHardwareCommon


@tagged("post_install", "-at_install")
class TestCommissioning(MeterHardwareCommon):
    def _probe(self, action):
        return self.env["meter.gateway.probe"].browse(action["res_id"]).result

    def test_test_connection(self):
        text = self._probe(
            self.gw_modbus.with_user(self.technician).action_test_connection()
        )
        self.assertIn("Connected to 127.0.0.1", text)
        self.assertIn("counter T1", text)
        self.modbus.stop()
        text = self._probe(self.gw_modbus.action_test_connection())
        self.assertIn("connection", text)
        text = self._probe(self.gw_shelly.action_test_connection())
        self.assertIn("SPEM-003CEBEU", text)
        self.shelly.mode = "error"
        text = self._probe(self.gw_shelly.action_test_connection())
        self.assertIn("device_rpc", text)

    def test_scan_modbus_and_mbus(self):
        probe = self.env["meter.gateway.probe"].browse(
            self.gw_modbus.action_scan()["res_id"]
        )
        probe.write({"first_address": 1, "last_address": 5})
        probe.action_run_scan()
        self.assertIn("unit 1: ok", probe.result)
        self.assertIn("unit 2: ok", probe.result)
        self.assertNotIn("unit 3", probe.result)
        probe = self.env["meter.gateway.probe"].create(
            {"gateway_id": self.gw_mbus.id, "first_address": 3, "last_address": 6}
        )
        self.gw_mbus.timeout = 0.1
        probe.action_run_scan()
        self.assertIn("primary 5", probe.result)
        self.gw_mbus.timeout = 0.05
        probe.secondary = True
        probe.action_run_scan()
        self.assertIn("secondary 123456782C2D0104", probe.result)

    def test_live_values_store_nothing(self):
        text = self._probe(self.gw_modbus.action_live_values())
        self.assertIn("voltage_L1 = 230.1", text)
        self.assertFalse(self._readings(self.meter_a1))

    def test_gateway_form_defaults_the_port(self):
        form = Form(self.env["meter.gateway"].with_user(self.manager))
        form.name = "New converter"
        form.site_id = self.site_a
        form.host = "10.0.0.5"
        self.assertEqual(form.port, 502)
        form.kind = "mbus_tcp"
        self.assertEqual(form.port, 10001)
        form.port = 4001
        form.kind = "modbus_rtu_tcp"
        self.assertEqual(form.port, 4001)  # a port the user chose stays
        gateway = form.save()
        self.assertEqual(gateway.state, "new")

    def test_bulk_assignment(self):
        meters = self.env["meter.meter"].create(
            [
                {
                    "name": f"EL-NEW-{i}",
                    "building_id": self.building_a.id,
                    "resource_id": self.electricity.id,
                }
                for i in range(3)
            ]
        )
        wizard = self.env["meter.gateway.assign"].create(
            {
                "gateway_id": self.gw_modbus.id,
                "meter_ids": meters.ids,
                "map_id": self.sdm630_map.id,
                "first_address": 10,
            }
        )
        wizard.action_assign()
        devices = self.gw_modbus.device_ids.filtered(lambda d: d.meter_id in meters)
        self.assertEqual(sorted(devices.mapped("unit_id")), [10, 11, 12])
        wizard = self.env["meter.gateway.assign"].create(
            {"gateway_id": self.gw_mbus.id, "meter_ids": meters[:1].ids}
        )
        with self.assertRaisesRegex(UserError, "Already on a gateway"):
            wizard.action_assign()
        wizard.replace = True
        wizard.action_assign()
        self.assertEqual(meters[0].gateway_id, self.gw_mbus)
        self.assertEqual(meters[0].gateway_device_ids.mbus_primary, 1)

    def test_shelly_credentials_reach_the_device(self):
        from meterkit.drivers.simulators import ShellySimulator

        with ShellySimulator(password="pw-1") as sim:
            gateway = self.env["meter.gateway"].create(
                {
                    "name": "GW Shelly auth",
                    "site_id": self.site_a.id,
                    "kind": "shelly",
                    "host": "127.0.0.1",
                    "port": sim.port,
                    "timeout": 0.5,
                    "password": "wrong",
                    "device_ids": [(0, 0, {"meter_id": self.meter_b1.id})],
                }
            )
            gateway._poll(self.now)
            self.assertEqual(gateway.poll_log_ids.state, "failed")
            self.assertIn("401", gateway.last_error)
            gateway.password = "pw-1"
            gateway._poll(self.now)
            self.assertEqual(gateway.state, "online")

    def test_address_and_map_validation(self):
        with self.assertRefused(ValidationError, "serial port"):
            self.gw_modbus.kind = "modbus_rtu_serial"
            self.gw_modbus.flush_recordset()
        self.gw_modbus.invalidate_recordset()
        with self.assertRefused(ValidationError, "host"):
            self.gw_modbus.host = False
            self.gw_modbus.flush_recordset()
        self.gw_modbus.invalidate_recordset()
        with self.assertRaisesRegex(ValidationError, "1..247"):
            self.gw_modbus.device_ids[0].unit_id = 300
        with self.assertRaisesRegex(ValidationError, "16 hex digits"):
            self.gw_mbus.device_ids.mbus_secondary = "1234"
        with self.assertRaisesRegex(ValidationError, "address 70000"):
            self.sdm630_map.point_ids[0].address = 70000
