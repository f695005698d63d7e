# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime
from decimal import Decimal
from unittest.mock import patch

from meterkit.drivers.registers import get_map
from meterkit.drivers.simulators import (
    MBusSimulator,
    ModbusSimulator,
    ShellySimulator,
    SimulatedMeter,
    heat_meter_frame,
)

from odoo.tests import freeze_time

from odoo.addons.meter_base.tests.common import MeterBaseCommon

NOW = datetime(2026, 3, 2, 10, 7, 30)
# The server clock frozen at the fixture's now for the code that reads it (the
# cron, "poll now", relay requests); ticking, as the drivers' timeouts count
# on time.monotonic().
freeze_at_now = freeze_time(NOW, tick=True)


class MeterHardwareCommon(MeterBaseCommon):
    """meter_base's fixture plus real protocol peers on 127.0.0.1: a pymodbus
    server with two SDM630 meters (units 1 and 2, counters growing on each
    read, coils as relays), an M-Bus converter with a heat meter (primary 5)
    and a Shelly Pro 3EM with a relay; one gateway on each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sdm630 = get_map("sdm630")
        cls.sim_meter_1 = SimulatedMeter(sdm630, {"energy_import": "1234.5"})
        cls.sim_meter_2 = SimulatedMeter(sdm630, {"energy_import": "10"})
        cls.modbus = ModbusSimulator({1: cls.sim_meter_1, 2: cls.sim_meter_2}).start()
        cls.addClassCleanup(cls._stop_modbus)
        cls.mbus = MBusSimulator({5: heat_meter_frame(5, 12345678, 4567, "12.34")})
        cls.mbus.__enter__()
        cls.addClassCleanup(cls.mbus.__exit__)
        cls.shelly = ShellySimulator(switches=1, energy_wh=5000, step_wh=10)
        cls.shelly.__enter__()
        cls.addClassCleanup(cls.shelly.__exit__)

        Meter = cls.env["meter.meter"]
        cls.meter_a3 = Meter.create(
            {
                "name": "EL-A3",
                "unit_id": cls.unit_a2.id,
                "resource_id": cls.electricity.id,
            }
        )
        cls.heat_a1 = Meter.create(
            {"name": "HEAT-A1", "unit_id": cls.unit_a1.id, "resource_id": cls.heat.id}
        )
        cls.shelly_a = Meter.create(
            {
                "name": "EL-COMMON-A",
                "kind": "common",
                "building_id": cls.building_a.id,
                "resource_id": cls.electricity.id,
            }
        )
        cls.sdm630_map = cls.env.ref("meter_hardware.register_map_sdm630")
        Gateway = cls.env["meter.gateway"]
        cls.gw_modbus = Gateway.create(
            {
                "name": "GW Modbus A",
                "site_id": cls.site_a.id,
                "kind": "modbus_tcp",
                "host": "127.0.0.1",
                "port": cls.modbus.port,
                "timeout": 0.5,
                "password": "secret-pw",
                "device_ids": [
                    (
                        0,
                        0,
                        {
                            "meter_id": cls.meter_a1.id,
                            "map_id": cls.sdm630_map.id,
                            "unit_id": 1,
                            "relay_kind": "coil",
                            "relay_address": 0,
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "meter_id": cls.meter_a3.id,
                            "map_id": cls.sdm630_map.id,
                            "unit_id": 2,
                        },
                    ),
                ],
            }
        )
        cls.gw_mbus = Gateway.create(
            {
                "name": "GW M-Bus A",
                "site_id": cls.site_a.id,
                "kind": "mbus_tcp",
                "host": "127.0.0.1",
                "port": cls.mbus.port,
                "timeout": 0.5,
                "device_ids": [(0, 0, {"meter_id": cls.heat_a1.id, "mbus_primary": 5})],
            }
        )
        cls.gw_shelly = Gateway.create(
            {
                "name": "GW Shelly A",
                "site_id": cls.site_a.id,
                "kind": "shelly",
                "host": "127.0.0.1",
                "port": cls.shelly.port,
                "timeout": 0.5,
                "device_ids": [
                    (
                        0,
                        0,
                        {
                            "meter_id": cls.shelly_a.id,
                            "shelly_channel": 0,
                            "relay_kind": "shelly",
                            "relay_address": 0,
                        },
                    ),
                ],
            }
        )
        cls.now = NOW

    @classmethod
    def _stop_modbus(cls):
        cls.modbus.stop()
        cls.modbus.close()

    def setUp(self):
        super().setUp()
        self.modbus.mode = "ok"
        self.mbus.mode = "ok"
        self.shelly.mode = "ok"
        if self.modbus._server is None:
            self.modbus.start()

    def _readings(self, meter):
        return self.env["meter.reading"].search(
            [("meter_id", "=", meter.id)], order="read_at"
        )

    def _alarms(self, kind, **domain):
        extra = [(k, "=", v.id) for k, v in domain.items()]
        return self.env["meter.alarm"].search([("kind", "=", kind), *extra])

    def _no_commit(self):
        return patch.object(
            self.registry["ir.cron"], "_commit_progress", lambda *a, **kw: 1.0
        )


D = Decimal
