# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from meterkit.drivers.result import DeviceResult

from odoo.tests import tagged

from .common import NOW, D, MeterHardwareCommon


@tagged("post_install", "-at_install")
class TestWiringChecks(MeterHardwareCommon):
    """What the values of one device read raise, resolve or note: the edge
    cases of the wiring checks (a polled device is in test_alarms_relays)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device = cls.gw_modbus.device_ids.filtered(
            lambda d: d.meter_id == cls.meter_a3
        )

    def _check(self, values, device_time=None, device=None):
        result = DeviceResult("2", values, {}, "", NOW, device_time)
        return (device or self.device)._check_values(result, NOW)

    def test_reverse_flow_of_a_consumer_meter(self):
        """EL-A3 (individual) with power_L1 -850 and power_L2 300: one reverse
        alarm naming both powers in key order, nothing resolved."""
        raised, resolved, note = self._check(
            {"power_L1": D("-850"), "power_L2": D("300")}
        )
        self.assertEqual(
            [(a["kind"], a["meter_id"], a["gateway_id"]) for a in raised],
            [("wiring_reverse", self.meter_a3.id, self.gw_modbus.id)],
        )
        self.assertIn("(power_L1 -850, power_L2 300)", raised[0]["message"])
        self.assertEqual((resolved, note), ([], ""))

    def test_production_meter_may_feed_back(self):
        """A production meter measuring -850 raises nothing and resolves a
        reverse alarm (its power flows outwards by design)."""
        self.meter_a3.kind = "production"
        raised, resolved, _note = self._check({"power_L1": D("-850")})
        self.assertEqual(raised, [])
        self.assertEqual(
            resolved, [("wiring_reverse", self.gw_modbus.id, self.meter_a3.id)]
        )

    def test_no_power_decides_nothing(self):
        """Powers all 0 (no load) or missing: neither raised nor resolved."""
        for values in ({"power_L1": D(0), "power_L2": D(0)}, {}):
            with self.subTest(values=values):
                self.assertEqual(self._check(values), ([], [], ""))

    def test_voltage_loss_needs_a_live_phase(self):
        """L3 at 12 V (< 50) while L1 is 231 V (> 150): loss of L3. All three
        at 0 V (a power cut, not a wiring fault) and one lone phase decide no
        loss: the first resolves, the second says nothing."""
        raised, resolved, _note = self._check(
            {"voltage_L1": D("231"), "voltage_L2": D("229"), "voltage_L3": D("12")}
        )
        self.assertEqual([a["kind"] for a in raised], ["wiring_voltage_loss"])
        self.assertIn("lost the voltage of voltage_L3.", raised[0]["message"])
        self.assertEqual(resolved, [])
        dark = {"voltage_L1": D(0), "voltage_L2": D(0), "voltage_L3": D(0)}
        self.assertEqual(
            self._check(dark)[:2],
            ([], [("wiring_voltage_loss", self.gw_modbus.id, self.meter_a3.id)]),
        )
        self.assertEqual(self._check({"voltage_L1": D(0)}), ([], [], ""))

    def test_device_clock_tolerance(self):
        """Tolerance 5 min (the default): a clock 5 min off is fine, 5 min 1 s
        off is noted with the drift 0:05:01; tolerance 0 checks nothing."""
        self.assertEqual(self.gw_modbus.clock_tolerance, 5)
        self.assertEqual(self._check({}, NOW - timedelta(minutes=5))[2], "")
        note = self._check({}, NOW + timedelta(minutes=5, seconds=1))[2]
        self.assertIn("EL-A3: device clock", note)
        self.assertIn("is off by 0:05:01", note)
        self.gw_modbus.clock_tolerance = 0
        self.assertEqual(self._check({}, NOW - timedelta(days=3))[2], "")
