# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from meterkit.drivers.registers import BUILTIN_MAPS

from odoo import fields
from odoo.tests import tagged

from .common import D, MeterHardwareCommon, freeze_at_now  # freeze_time(NOW, tick)


@tagged("post_install", "-at_install")
class TestPolling(MeterHardwareCommon):
    def test_modbus_poll_stores_readings_with_evidence(self):
        self.gw_modbus._poll(self.now)
        readings = self._readings(self.meter_a1)
        self.assertEqual(len(readings), 1)
        self.assertEqual(readings.source, "gateway")
        self.assertEqual(readings.register, "T1")
        # stamped by the server clock, floored to the 15-minute poll slot
        self.assertEqual(readings.read_at, self.now.replace(minute=0, second=0))
        self.assertGreater(D(str(readings.value)), D("1234.5"))
        self.assertEqual(len(self._readings(self.meter_a3)), 1)
        log = self.gw_modbus.poll_log_ids
        self.assertEqual((log.state, log.reading_count, log.device_count), ("ok", 2, 2))
        self.assertIn("> 00 01 00 00 00 06 01 04 00 00 00 4c", log.raw)
        self.assertEqual(self.gw_modbus.state, "online")
        self.assertEqual(self.gw_modbus.last_contact, self.now)
        self.assertEqual(self.gw_modbus.next_poll_at, self.now + timedelta(minutes=15))
        device = self.gw_modbus.device_ids.filtered(lambda d: d.unit_id == 1)
        self.assertIn('"voltage_L1": "230.1"', device.last_values)

    def test_repeated_poll_never_duplicates(self):
        self.gw_modbus._poll(self.now)
        first = self._readings(self.meter_a1)
        # the counter has grown since, but the slot already holds its reading
        self.gw_modbus._poll(self.now + timedelta(minutes=3))
        self.assertEqual(self._readings(self.meter_a1), first)
        log = self.gw_modbus.poll_log_ids.sorted("id")[-1]
        self.assertEqual((log.reading_count, log.duplicate_count), (0, 2))
        # the next slot stores the next reading, consumption computed
        self.gw_modbus._poll(self.now + timedelta(minutes=15))
        readings = self._readings(self.meter_a1)
        self.assertEqual(len(readings), 2)
        self.assertGreater(readings[1].value, readings[0].value)

    def test_replaying_an_outcome_is_idempotent(self):
        from meterkit.drivers import poll_gateways

        (outcome,) = poll_gateways(self.gw_modbus._poll_specs(), now=self.now)
        self.gw_modbus._apply_outcome(outcome, self.now)
        count = self.env["meter.reading"].search_count([("source", "=", "gateway")])
        self.gw_modbus._apply_outcome(outcome, self.now)
        self.assertEqual(
            self.env["meter.reading"].search_count([("source", "=", "gateway")]), count
        )

    def test_mbus_and_shelly_gateways(self):
        (self.gw_mbus | self.gw_shelly)._poll(self.now)
        heat = self._readings(self.heat_a1)
        self.assertEqual(heat.value, 4567)  # kWh from the RSP_UD
        self.assertIn("> 10 5b 05 60 16", self.gw_mbus.poll_log_ids.raw)
        common = self._readings(self.shelly_a)
        self.assertEqual(len(common), 1)
        self.assertGreater(common.value, 5)  # Wh -> kWh
        self.assertIn("Switch.GetStatus", self.gw_shelly.poll_log_ids.raw)

    def test_mbus_secondary_address_and_volume_meter(self):
        self.env["meter.gateway.device"].create(
            {
                "gateway_id": self.gw_mbus.id,
                "meter_id": self.meter_a2.id,  # hot water, m³
                "mbus_secondary": "123456782c2d0104",
            }
        )
        self.gw_mbus._poll(self.now)
        self.assertEqual(self._readings(self.meter_a2).value, 12.34)
        self.assertEqual(self._readings(self.heat_a1).value, 4567)
        self.assertIn(
            "> 68 0b 0b 68 53 fd 52 78 56 34 12", self.gw_mbus.poll_log_ids.raw
        )

    def test_decommissioned_meters_are_not_read(self):
        self.meter_a3.action_set_archived()
        self.gw_modbus._poll(self.now)
        log = self.gw_modbus.poll_log_ids
        self.assertEqual((log.state, log.device_count, log.reading_count), ("ok", 1, 1))
        self.assertFalse(
            self._readings(self.meter_a3).filtered(lambda r: r.source == "gateway")
        )

    def test_device_clock_outside_tolerance_is_noted(self):
        # the simulated heat meter's clock says 2021-03-23
        self.gw_mbus._poll(self.now)
        self.assertIn("device clock", self.gw_mbus.poll_log_ids.message)
        self.assertEqual(
            self._readings(self.heat_a1).read_at, self.now.replace(minute=0, second=0)
        )

    @freeze_at_now
    def test_cron_polls_due_gateways_in_batches(self):
        gateways = self.gw_modbus | self.gw_mbus | self.gw_shelly
        self.env["meter.gateway"].search([("id", "not in", gateways.ids)]).write(
            {"state": "disabled"}
        )
        gateways.write({"next_poll_at": False})
        with self._no_commit():
            self.env["meter.gateway"]._cron_poll()
        self.assertTrue(all(g.state == "online" for g in gateways))
        self.assertTrue(all(g.next_poll_at > fields.Datetime.now() for g in gateways))
        self.assertEqual(len(gateways.poll_log_ids), 3)
        # nothing is due now: a second run polls nothing
        with self._no_commit():
            self.env["meter.gateway"]._cron_poll()
        self.assertEqual(len(gateways.poll_log_ids), 3)

    def test_offline_backoff_and_recovery(self):
        gateway = self.gw_modbus
        gateway._poll(self.now)
        self.modbus.stop()  # the cable is pulled
        now = self.now
        delays = []
        for _i in range(3):
            now += timedelta(minutes=15)
            gateway._poll(now)
            delays.append(gateway.next_poll_at - now)
        self.assertEqual(gateway.state, "offline")
        self.assertEqual(gateway.consecutive_failures, 3)
        self.assertEqual(
            delays,
            [timedelta(minutes=30), timedelta(minutes=60), timedelta(minutes=120)],
        )
        alarm = self._alarms("gateway_offline", gateway_id=gateway)
        self.assertEqual(len(alarm), 1)
        self.assertEqual(alarm.state, "open")
        gateway._poll(now + timedelta(hours=2))
        self.assertEqual(len(self._alarms("gateway_offline", gateway_id=gateway)), 1)
        self.assertEqual(alarm.occurrences, 2)
        self.assertEqual(gateway.poll_log_ids.sorted("id")[-1].state, "failed")
        self.modbus.start()  # plugged back
        gateway._poll(now + timedelta(hours=4))
        self.assertEqual(gateway.state, "online")
        self.assertEqual(alarm.state, "closed")
        self.assertEqual(gateway.consecutive_failures, 0)
        self.assertEqual(len(self._readings(self.meter_a1)), 2)

    def test_exception_replies_raise_communication_alarms(self):
        self.gw_modbus._poll(self.now)
        self.modbus.mode = "exception"
        self.gw_modbus._poll(self.now + timedelta(minutes=15))
        # every meter answered with an exception: the gateway counts as silent
        self.assertEqual(self.gw_modbus.consecutive_failures, 1)
        self.modbus.mode = "ok"
        self.gw_mbus._poll(self.now)
        self.mbus.mode = "garbled"
        self.gw_mbus.device_ids.write({"mbus_primary": 5})
        self.gw_mbus._poll(self.now + timedelta(minutes=60))
        self.assertTrue(self.gw_mbus.device_ids.last_error)
        self.mbus.mode = "ok"
        self.gw_mbus._poll(self.now + timedelta(minutes=120))
        self.assertFalse(self.gw_mbus.device_ids.last_error)

    def test_one_silent_meter_behind_a_live_gateway(self):
        self.gw_modbus.device_ids[1].unit_id = 9  # nobody there
        self.gw_modbus._poll(self.now)
        self.assertEqual(self.gw_modbus.state, "online")
        alarm = self._alarms("communication", meter_id=self.meter_a3)
        self.assertEqual(alarm.state, "open")
        self.assertIn("exception 11", alarm.message)
        self.assertEqual(self.gw_modbus.poll_log_ids.state, "partial")
        self.gw_modbus.device_ids[1].unit_id = 2
        self.gw_modbus._poll(self.now + timedelta(minutes=15))
        self.assertEqual(alarm.state, "closed")

    def test_counter_going_backwards_is_refused_with_an_alarm(self):
        self.env["meter.reading.ingest"]._ingest(
            [(self.meter_a1.id, "T1", self.now - timedelta(days=1), 99999)],
            source="import",
        )
        self.gw_modbus._poll(self.now)
        self.assertEqual(len(self._readings(self.meter_a1)), 1)
        alarm = self._alarms("counter_backwards", meter_id=self.meter_a1)
        self.assertEqual(alarm.state, "open")
        self.assertIn("99999", alarm.message)
        self.assertEqual(len(self._readings(self.meter_a3)), 1)  # others stored

    def test_counters_follow_the_reading_rules(self):
        rule = self.env["meter.rule"].create(
            {
                "resource_id": self.electricity.id,
                "site_id": self.site_a.id,
                "integers_only": True,
            }
        )
        rule.action_apply_once()
        start = self.sim_meter_1.values["energy_import"]
        self.sim_meter_1.values["energy_import"] = start.to_integral_value() + D("0.2")
        self.gw_modbus._poll(self.now)
        reading = self._readings(self.meter_a1)
        # x.7 read, truncated to x (a meter's display never rounds up)
        self.assertEqual(reading.value, float(start.to_integral_value()))
        self.assertEqual(self.gw_modbus.poll_log_ids.state, "ok")

    def test_a_gateway_failing_to_record_does_not_stop_the_others(self):
        from unittest.mock import patch

        from odoo.exceptions import ValidationError

        Gateway = type(self.env["meter.gateway"])
        original = Gateway._store_readings

        def store(gateway, rows, *args):
            if gateway == self.gw_modbus:
                raise ValidationError(" ".join(["bad", "row", "2"]))
            return original(gateway, rows, *args)

        with patch.object(Gateway, "_store_readings", store):
            (self.gw_modbus | self.gw_mbus)._poll(self.now)
        log = self.gw_modbus.poll_log_ids
        self.assertEqual(log.state, "failed")
        self.assertIn("bad row 2", log.message)
        self.assertFalse(self._readings(self.meter_a1))
        self.assertEqual(self.gw_mbus.poll_log_ids.state, "ok")
        self.assertTrue(self._readings(self.heat_a1))

    def test_a_real_reading_replaces_a_higher_estimate(self):
        self.env["meter.reading.ingest"]._ingest(
            [(self.meter_a1.id, "T1", self.now - timedelta(days=2), 1000)],
            source="import",
        )
        estimate = self._reading(
            self.meter_a1,
            self.now - timedelta(days=1),
            99999,
            source="estimate",
            state="estimated",
        )
        self.gw_modbus._poll(self.now)
        self.assertFalse(self._alarms("counter_backwards", meter_id=self.meter_a1))
        polled = self._readings(self.meter_a1).filtered(lambda r: r.source == "gateway")
        self.assertEqual(polled.state, "valid")
        self.assertEqual(estimate.state, "superseded")

    @freeze_at_now
    def test_poll_log_retention(self):
        """The cleanup keeps the last 90 days before now (frozen)."""
        self.gw_modbus._poll(self.now)
        old = self.gw_modbus.poll_log_ids
        old.started_at = self.now - timedelta(days=100)
        self.gw_modbus._poll(self.now + timedelta(minutes=15))
        (self.gw_modbus.poll_log_ids - old).started_at = self.now
        self.env["ir.config_parameter"].set_param(
            "meter_hardware.poll_log_retention_days", 90
        )
        self.assertEqual(self.env["meter.poll.log"]._cron_cleanup(), 1)
        self.assertFalse(old.exists())
        self.assertEqual(len(self.gw_modbus.poll_log_ids), 1)

    def test_register_map_data_mirror_meterkit(self):
        for code, builtin in BUILTIN_MAPS.items():
            record = self.env["meter.register.map"].search([("code", "=", code)])
            self.assertEqual(
                sorted(record._to_meterkit().points, key=repr),
                sorted(builtin.points, key=repr),
                code,
            )
            self.assertEqual(record.max_gap, builtin.max_gap, code)


@tagged("post_install", "-at_install")
class TestPollingIngestionCodes(MeterHardwareCommon):
    """The gateway stores nothing itself: it reads ingestion's per-item codes."""

    def test_a_counter_with_a_rollover_value_going_backwards_raises_an_alarm(self):
        """A wrap is never assumed (RULES.md §5.3): the reading is refused by
        ingestion and, like on any meter, the refusal raises an alarm naming
        the last real value (99999) and is closed once the counter goes
        forward again."""
        self.meter_a1.rollover_value = 1000000
        self.env["meter.reading.ingest"]._ingest(
            [(self.meter_a1.id, "T1", self.now - timedelta(days=1), 99999)],
            source="import",
        )
        self.gw_modbus._poll(self.now)
        alarm = self._alarms("counter_backwards", meter_id=self.meter_a1)
        self.assertEqual(alarm.state, "open")
        self.assertIn("99999", alarm.message)
        log = self.gw_modbus.poll_log_ids
        self.assertEqual((log.state, log.rejected_count), ("partial", 1))
        self.sim_meter_1.values["energy_import"] = D("100000.5")
        self.gw_modbus._poll(self.now + timedelta(minutes=15))
        self.assertEqual(alarm.state, "closed")
        self.assertEqual(len(self._readings(self.meter_a1)), 2)

    def test_a_value_refused_by_the_rules_is_noted_with_its_code(self):
        """A counter at or above the rollover value is outside the meter's
        bounds: ingestion refuses it with ``above_rollover`` and the poll log
        says so (no alarm: the counter did not go backwards)."""
        self.meter_a1.rollover_value = 1000
        self.gw_modbus._poll(self.now)
        log = self.gw_modbus.poll_log_ids
        self.assertEqual(
            (log.state, log.reading_count, log.rejected_count), ("partial", 1, 1)
        )
        self.assertIn("above_rollover", log.message)
        self.assertFalse(self._readings(self.meter_a1))
        self.assertFalse(self._alarms("counter_backwards", meter_id=self.meter_a1))
