# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import D, MeterHardwareCommon, freeze_at_now  # freeze_time(NOW, tick)


@tagged("post_install", "-at_install")
class TestAlarmsRelays(MeterHardwareCommon):
    def test_reverse_flow_and_voltage_loss(self):
        self.sim_meter_2.values["power_L1"] = D("-850")
        self.sim_meter_2.values["voltage_L3"] = D("0")
        try:
            self.gw_modbus._poll(self.now)
        finally:
            self.sim_meter_2.values["power_L1"] = D("1200")
            self.sim_meter_2.values["voltage_L3"] = D("230.1")
        reverse = self._alarms("wiring_reverse", meter_id=self.meter_a3)
        loss = self._alarms("wiring_voltage_loss", meter_id=self.meter_a3)
        self.assertEqual((reverse.state, loss.state), ("open", "open"))
        self.assertIn("voltage_L3", loss.message)
        self.assertFalse(self._alarms("wiring_reverse", meter_id=self.meter_a1))
        self.gw_modbus._poll(self.now + timedelta(minutes=15))
        self.assertEqual((reverse.state, loss.state), ("closed", "closed"))

    def test_alarm_routing_acknowledge_and_history(self):
        self.gw_modbus.device_ids[1].unit_id = 9
        self.gw_modbus._poll(self.now)
        alarm = self._alarms("communication", meter_id=self.meter_a3)
        # routed to the technicians of the site: a to-do for the technician
        self.assertEqual(alarm.activity_ids.user_id, self.technician)
        alarm.with_user(self.technician).action_acknowledge()
        self.assertEqual(alarm.state, "acknowledged")
        self.assertEqual(alarm.acknowledged_by_id, self.technician)
        self.assertFalse(alarm.activity_ids)
        # still failing: counted on the same alarm, not a new one
        self.gw_modbus._poll(self.now + timedelta(minutes=15))
        self.assertEqual(len(self._alarms("communication", meter_id=self.meter_a3)), 1)
        self.assertEqual(alarm.occurrences, 2)
        self.gw_modbus.device_ids[1].unit_id = 2
        self.gw_modbus._poll(self.now + timedelta(minutes=30))
        self.assertEqual(alarm.state, "closed")
        self.assertIn("recovered", alarm.message_ids[0].body)
        # it comes back: a new alarm, the old one stays as history
        self.gw_modbus.device_ids[1].unit_id = 9
        self.gw_modbus._poll(self.now + timedelta(minutes=45))
        alarms = self._alarms("communication", meter_id=self.meter_a3)
        self.assertEqual(sorted(alarms.mapped("state")), ["closed", "open"])

    def test_offline_alarm_mails_the_site_technicians(self):
        self.modbus.stop()
        self.gw_modbus.offline_after = 1
        self.gw_modbus._poll(self.now)
        alarm = self._alarms("gateway_offline", gateway_id=self.gw_modbus)
        message = alarm.message_ids.filtered(lambda m: m.partner_ids)
        self.assertIn(self.technician.partner_id, message.partner_ids)
        self.assertNotIn(self.reader.partner_id, message.partner_ids)

    def _set_supply(self, meter, desired, reason, user):
        wizard = Form(
            self.env["meter.supply.set"]
            .with_user(user)
            .with_context(default_meter_ids=meter.ids)
        )
        wizard.desired = desired
        wizard.reason = reason
        record = wizard.save()
        record.action_next()
        self.assertEqual(record.step, "confirm")
        self.assertIn(meter.name, record.summary)
        with self.assertRaises(UserError):
            record.action_confirm()  # not ticked yet
        record.confirmed = True
        record.action_confirm()

    def test_two_step_supply_cut_reconciled_by_the_poller(self):
        self._set_supply(
            self.meter_a1, "off", "Unpaid prepaid balance", self.technician
        )
        self.assertEqual(self.meter_a1.supply_desired, "off")
        self.sim_meter_1.coils[0] = True
        self.gw_modbus._poll(self.now)
        self.assertFalse(self.sim_meter_1.coils[0])
        command = self.meter_a1.relay_command_ids
        self.assertEqual(
            (command.desired, command.actual, command.state),
            ("off", "off", "confirmed"),
        )
        self.assertEqual(command.reason, "Unpaid prepaid balance")
        self.assertIn("> ", command.raw)
        self.assertEqual(self.meter_a1.supply_actual, "off")
        # in line with the device: no new command on the next poll
        self.gw_modbus._poll(self.now + timedelta(minutes=15))
        self.assertEqual(len(self.meter_a1.relay_command_ids), 1)
        self._set_supply(self.meter_a1, "on", "Paid", self.technician)
        self.gw_modbus._poll(self.now + timedelta(minutes=30))
        self.assertTrue(self.sim_meter_1.coils[0])
        self.assertEqual(self.meter_a1.supply_actual, "on")

    def test_shelly_relay_and_failure_alarm(self):
        self._set_supply(self.shelly_a, "off", "Maintenance", self.manager)
        self.gw_shelly._poll(self.now)
        self.assertFalse(self.shelly.switches[0]["output"])
        self.assertEqual(self.shelly_a.supply_actual, "off")
        self.shelly.switches[0]["output"] = True
        self.shelly_a.sudo().supply_actual = False
        self.shelly.mode = "error"
        self.gw_shelly._poll(self.now + timedelta(minutes=15))
        failed = self.shelly_a.relay_command_ids.filtered(lambda c: c.state == "failed")
        self.assertTrue(failed.error)
        self.assertEqual(
            self._alarms("relay_mismatch", meter_id=self.shelly_a).state, "open"
        )

    def test_supply_needs_a_relay(self):
        wizard = self.env["meter.supply.set"].create(
            {"meter_ids": self.meter_a3.ids, "desired": "off", "reason": "x"}
        )
        with self.assertRaisesRegex(UserError, "No relay"):
            wizard.action_next()

    @freeze_at_now
    def test_other_addons_raise_and_resolve_alarms(self):
        """Prepaid billing's entry points: a low balance alarm routed to the
        billing officers of the site, a supply cut without the wizard."""
        Alarm = self.env["meter.alarm"]
        vals = {"kind": "low_balance", "meter_id": self.meter_a1.id, "message": "2 CHF"}
        alarm = Alarm._raise([vals])
        self.assertEqual(Alarm._raise([vals]), Alarm)  # already open: counted
        self.assertEqual(alarm.occurrences, 2)
        self.assertEqual(alarm.site_id, self.site_a)
        self.assertEqual(alarm.activity_ids.user_id, self.billing)
        self.meter_a1._request_supply("off", "Prepaid balance exhausted")
        self.assertLessEqual(self.gw_modbus.next_poll_at, fields.Datetime.now())
        self.gw_modbus._poll(self.now)
        self.assertEqual(self.meter_a1.supply_actual, "off")
        Alarm._resolve([("low_balance", False, self.meter_a1.id)])
        self.assertEqual(alarm.state, "closed")

    def test_four_relay_io_module(self):
        """A meter whose supply is switched by relay 3 of a 4-relay I/O module
        (unit 2 on the same bus; its readings come from elsewhere)."""
        relay4 = self.env.ref("meter_hardware.register_map_relay4")
        self.gw_modbus.device_ids.filtered(lambda d: d.meter_id == self.meter_a3).write(
            {"map_id": relay4.id, "relay_kind": "coil", "relay_address": 3}
        )
        self.sim_meter_2.coils[3] = True
        self.meter_a3._request_supply("off", "Vacant flat")
        self.gw_modbus._poll(self.now)
        self.assertFalse(self.sim_meter_2.coils[3])
        self.assertEqual(self.meter_a3.supply_actual, "off")
        self.assertFalse(self._readings(self.meter_a3))  # a relay module has no counter
        self.assertEqual(self.gw_modbus.poll_log_ids.state, "ok")
        self.assertIn("> 00", self.gw_modbus.poll_log_ids.raw.split("\n\n")[1])
        action = self.gw_modbus.action_live_values()
        text = self.env["meter.gateway.probe"].browse(action["res_id"]).result
        self.assertIn("EL-A3 (unit 2): -", text)
