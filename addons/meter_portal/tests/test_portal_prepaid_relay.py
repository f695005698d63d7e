# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime, timedelta
from unittest.mock import patch

from meterkit.drivers.registers import get_map
from meterkit.drivers.simulators import ModbusSimulator, SimulatedMeter

from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from odoo.addons.meter_billing.tests.common import MeterBillingCommon

from . import test_portal_prepaid

NOW = datetime(2026, 3, 20, 10, 0, 0)


@tagged("post_install", "-at_install")
@freeze_time(NOW, tick=True)
class TestPortalPrepaidRelay(test_portal_prepaid.TestPortalPrepaid):
    """The portal's prepaid fixture plus a real relay: electricity meter
    EL-P1 of unit P1 (resident A) is an SDM630 (unit 1) behind a pymodbus
    server on 127.0.0.1, its relay on coil 0, polled by a Modbus TCP gateway.

    Tariff: energy 0.50 per kWh, nothing else. Readings at local (UTC)
    midnight: Mar 18 100, Mar 19 140, Mar 20 160 kWh, so Mar 18 uses 40 kWh
    and Mar 19 20 kWh. A second prepaid account of A (billing point P1-EL,
    the first one of the parent fixture is on P1 without meters) is opened
    by a desk top-up of 33.00 in cash on Mar 18; thresholds alarm 1 10.00,
    alarm 2 5.00, restore 10.00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        electricity = env.ref("meter_base.resource_electricity")
        cls.el_p1 = env["meter.meter"].create(
            {
                "name": "EL-P1",
                "unit_id": cls.unit_p1.id,
                "resource_id": electricity.id,
                "commissioning_date": "2025-01-01",
            }
        )
        for day, value in ((18, 100), (19, 140), (20, 160)):
            env["meter.reading"].create(
                {
                    "meter_id": cls.el_p1.id,
                    "read_at": f"2026-03-{day} 00:00:00",
                    "value": value,
                    "confirm_anomaly": True,
                }
            )
        cls.product_energy = env["product.product"].create(
            {"name": "Electricity", "type": "service", "taxes_id": [Command.clear()]}
        )
        # meter_billing's fixture helper, on this class's product
        tariff = MeterBillingCommon._flat_tariff.__func__(cls, "Prepaid 0.50", 0.50)
        point = env["meter.billing.point"].create(
            {
                "unit_id": cls.unit_p1.id,
                "meter_ids": [Command.set(cls.el_p1.ids)],
                "tariff_line_ids": [
                    Command.create({"tariff_id": tariff.id, "date_from": "2025-01-01"})
                ],
            }
        )
        cls.account_el = env["meter.prepaid.account"].create(
            {
                "billing_point_id": point.id,
                "partner_id": cls.partner_a.id,
                "alarm1_amount": 10.0,
                "alarm2_amount": 5.0,
                "restore_amount": 10.0,
            }
        )
        env["meter.prepaid.payment"].create(
            {
                "account_id": cls.account_el.id,
                "kind": "top_up",
                "amount": 33.0,
                "journal_id": cls.company_data["default_journal_cash"].id,
                "date": "2026-03-18",
            }
        ).action_confirm()
        cls.sim_meter = SimulatedMeter(get_map("sdm630"), {"energy_import": "160"})
        cls.modbus = ModbusSimulator({1: cls.sim_meter}).start()
        cls.addClassCleanup(cls._stop_modbus)
        cls.gateway = env["meter.gateway"].create(
            {
                "name": "GW Modbus P",
                "site_id": cls.site.id,
                "kind": "modbus_tcp",
                "host": "127.0.0.1",
                "port": cls.modbus.port,
                "timeout": 0.5,
                "device_ids": [
                    Command.create(
                        {
                            "meter_id": cls.el_p1.id,
                            "map_id": env.ref("meter_hardware.register_map_sdm630").id,
                            "unit_id": 1,
                            "relay_kind": "coil",
                            "relay_address": 0,
                        }
                    )
                ],
            }
        )

    @classmethod
    def _stop_modbus(cls):
        cls.modbus.stop()
        cls.modbus.close()

    def _deduct(self, until):
        with patch.object(
            self.registry["ir.cron"], "_commit_progress", lambda *a, **kw: 60.0
        ):
            self.env["meter.prepaid.account"]._cron_deduct(until=until)

    def test_relay_off_at_alarm2_and_on_after_portal_top_up(self):
        """Mar 18: 40 kWh x 0.50 = 20.00, balance 33.00 - 20.00 = 13.00
        (normal, >= alarm 1 10.00). Mar 19: 20 kWh x 0.50 = 10.00, balance
        3.00 < alarm 2 5.00: supply desired off, and the next poll opens coil
        0 of the Modbus peer (read back from the server). A tops up 10.00 in
        the portal, paid with payment_demo: balance 13.00 >= restore 10.00,
        supply desired on, and the next poll closes the coil again."""
        self.sim_meter.coils[0] = True
        self._deduct(date(2026, 3, 19))
        self.assertEqual(
            self.account_el.move_ids.filtered(lambda m: m.move_type == "deduction")
            .sorted("date")
            .mapped("amount"),
            [20.0, 10.0],
        )
        self.assertRecordValues(
            self.account_el, [{"balance": 3.0, "level": "alarm2", "supply": "off"}]
        )
        self.assertEqual(self.el_p1.supply_desired, "off")
        self.assertTrue(self.sim_meter.coils[0], "nothing switched before the poll")
        self.gateway._poll(NOW)
        self.assertFalse(self.sim_meter.coils[0])
        command = self.el_p1.relay_command_ids
        self.assertRecordValues(
            command, [{"desired": "off", "actual": "off", "state": "confirmed"}]
        )
        self.assertIn("Alarm 2", command.reason)

        values = self.make_jsonrpc_request(
            f"/my/prepaid/{self.account_el.id}/transaction",
            self._transaction_params(self.account_el, 10.0),
        )
        tx = self.env["payment.transaction"].search(
            [("reference", "=", values["reference"])]
        )
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {"reference": tx.reference, "simulated_state": "done"},
        )
        tx._post_process()
        self.assertRecordValues(
            self.account_el, [{"balance": 13.0, "level": "normal", "supply": "on"}]
        )
        self.assertEqual(self.el_p1.supply_desired, "on")
        self.assertFalse(self.sim_meter.coils[0], "still off until the next poll")
        self.gateway._poll(NOW + timedelta(minutes=15))
        self.assertTrue(self.sim_meter.coils[0])
        command = self.el_p1.relay_command_ids.sorted("id")[-1]
        self.assertRecordValues(
            command, [{"desired": "on", "actual": "on", "state": "confirmed"}]
        )
        self.assertEqual(self.el_p1.supply_actual, "on")
