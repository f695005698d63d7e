# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import asyncio
import base64
import contextlib
import tempfile
from pathlib import Path

from meterkit.ocpp.api import Directory, OdooApi, Sender
from meterkit.ocpp.central import CentralSystem
from meterkit.ocpp.store import Store
from ocpp.routing import on
from ocpp.v201 import ChargePoint as Cp201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from websockets.asyncio.client import connect

from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from .common import MeterBillingCommon

PASSWORD = "cp-secret-201"
BASIC = base64.b64encode(f"CP-201:{PASSWORD}".encode()).decode()


class Station201(Cp201):
    """An OCPP 2.0.1 charging station (the ``ocpp`` library) that accepts
    RequestStopTransaction and remembers it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stop_requested = asyncio.Event()
        self.remote_stops = []

    @on("RequestStopTransaction")
    def on_request_stop(self, transaction_id, **_kw):
        self.remote_stops.append(transaction_id)
        self.stop_requested.set()
        return result201.RequestStopTransaction(status="Accepted")


def _event(event_type, seq_no, at, wh, trigger, token=None, **info):
    """A TransactionEvent of transaction ``T-77`` on EVSE 1 at ``at``
    (2026-01-10, UTC) with the energy register ``wh``."""
    return call201.TransactionEvent(
        event_type=event_type,
        timestamp=f"2026-01-10T{at}:00Z",
        trigger_reason=trigger,
        seq_no=seq_no,
        transaction_info={"transaction_id": "T-77", **info},
        id_token={"id_token": token, "type": "ISO14443"} if token else None,
        evse={"id": 1, "connector_id": 1},
        meter_value=[
            {
                "timestamp": f"2026-01-10T{at}:00Z",
                "sampled_value": [
                    {
                        "value": wh,
                        "measurand": "Energy.Active.Import.Register",
                        "unit_of_measure": {"unit": "Wh"},
                    }
                ],
            }
        ],
    )


@tagged("post_install", "-at_install")
class TestOcpp201Billing(HttpCase, MeterBillingCommon):
    """The real central system (meterkit.ocpp) on 127.0.0.1 against this
    test server's OCPP API, with an OCPP 2.0.1 station of the ``ocpp``
    library: badges, a TransactionEvent Started / Updated / Ended session, a
    remote stop pushed from Odoo (the commands poll is set to an hour), and
    the session on the invoice of the resident who badged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        product = cls.env["product.product"].create(
            {"name": "EV charging", "type": "service"}
        )
        cls.tiered.version_ids.component_ids = [
            Command.create(
                {
                    "name": name,
                    "product_id": product.id,
                    "component_type": kind,
                    "price": price,
                    "sequence": 50 + i,
                }
            )
            for i, (name, kind, price) in enumerate(
                [
                    ("EV energy", "usage_kwh", 0.35),
                    ("EV session fee", "usage_session", 1.0),
                ]
            )
        ]
        cls.station = cls.env["meter.charge.point"].create(
            {
                "name": "Garage EVSE",
                "identity": "CP-201",
                "site_id": cls.site_a.id,
                "password": PASSWORD,
            }
        )
        Badge = cls.env["meter.badge"]
        cls.badge = Badge.create(
            {
                "token": "0A1B2C3D",
                "site_id": cls.site_a.id,
                "occupancy_id": cls.unit_a1.occupancy_ids.id,
            }
        )
        Badge.create({"token": "DEAD0001", "site_id": cls.site_a.id, "state": "lost"})
        technician = cls._user(
            "ocpp201_tech", "meter_base.meter_base_group_technician", cls.site_a
        )
        keys_sudo = cls.env["res.users.apikeys"].with_user(technician).sudo()
        cls.key = keys_sudo._generate(None, "ocpp", False)

    @contextlib.asynccontextmanager
    async def _central(self):
        tmp = tempfile.TemporaryDirectory()
        api = OdooApi(self.base_url(), self.key, timeout=30)
        store = Store(str(Path(tmp.name) / "central.sqlite"))
        directory = Directory(api, ttl=0, min_refresh=0)
        central = CentralSystem(store, directory, Sender(store, api), api)
        directory.notify_port = await central.serve_notify("127.0.0.1", 0)
        await central.serve("127.0.0.1", 0)
        poller = asyncio.create_task(central.run_commands(interval=3600))
        try:
            yield central
        finally:
            poller.cancel()
            await central.close()
            store.close()
            tmp.cleanup()

    def _scenario(self):
        async def scenario():
            async with self._central() as central:
                async with connect(
                    f"ws://127.0.0.1:{central.port}/CP-201",
                    subprotocols=["ocpp2.0.1"],
                    additional_headers={"Authorization": f"Basic {BASIC}"},
                ) as ws:
                    cp = Station201("CP-201", ws, response_timeout=30)
                    task = asyncio.create_task(cp.start())
                    boot = await cp.call(
                        call201.BootNotification(
                            charging_station={"model": "EVSE", "vendor_name": "ACME"},
                            reason="PowerUp",
                        )
                    )
                    lost = await cp.call(
                        call201.Authorize(
                            id_token={"id_token": "dead0001", "type": "ISO14443"}
                        )
                    )
                    ok = await cp.call(
                        call201.Authorize(
                            id_token={"id_token": "0A1B2C3D", "type": "ISO14443"}
                        )
                    )
                    started = await cp.call(
                        _event("Started", 0, "18:00", 1000, "Authorized", "0A1B2C3D")
                    )
                    await cp.call(
                        _event("Updated", 1, "18:30", 5000, "MeterValuePeriodic")
                    )
                    await central.sender.flush()
                    self.env.invalidate_all()
                    session = self.env["meter.usage.session"].search(
                        [("charge_point_id", "=", self.station.id)]
                    )
                    session.action_remote_stop()
                    self.env.flush_all()
                    # the commit: Odoo notifies the central system
                    await asyncio.to_thread(self.env.cr.postcommit.run)
                    await asyncio.wait_for(cp.stop_requested.wait(), 20)
                    await cp.call(
                        _event(
                            "Ended",
                            2,
                            "19:15",
                            8500,
                            "RemoteStop",
                            stopped_reason="Remote",
                        )
                    )
                    task.cancel()
                await central.sender.flush()
                return boot, lost, ok, started, cp.remote_stops

        with self.allow_requests(all_requests=True):
            return asyncio.run(scenario())

    def test_session_201_billed_to_the_resident(self):
        """Session T-77: 1,000 Wh at 18:00, 5,000 at 18:30, stopped by Odoo
        at 8,500 Wh at 19:15: (8,500 - 1,000) / 1,000 = 7.5 kWh for tenant
        one (unit A1). January invoice of tenant one: 300 kWh tiered =
        159.49 (as in the tiered test) + EV 7.5 x 0.35 = 2.625 -> 2.63 + one
        session fee 1.00 = 163.12; tenant two: 292.15, no session."""
        boot, lost, ok, started, remote_stops = self._scenario()
        self.assertEqual(boot.status, "Accepted")
        self.assertEqual(lost.id_token_info["status"], "Blocked")
        self.assertEqual(ok.id_token_info["status"], "Accepted")
        self.assertEqual(started.id_token_info["status"], "Accepted")
        self.assertEqual(remote_stops, ["T-77"], "pushed, not polled (1 h poll)")
        self.env.invalidate_all()
        session = self.env["meter.usage.session"].search(
            [("charge_point_id", "=", self.station.id)]
        )
        self.assertRecordValues(
            session,
            [
                {
                    "transaction_id": "T-77",
                    "protocol": "ocpp2.0.1",
                    "state": "stopped",
                    "badge_id": self.badge.id,
                    "partner_id": self.tenant1.id,
                    "energy_kwh": 7.5,
                    "stop_reason": "Remote",
                }
            ],
        )
        self.assertEqual(self.station.command_ids.state, "done")
        run = self._bill(self._run(sites=self.site_a))
        move1 = run.move_ids.filtered(lambda m: m.partner_id == self.tenant1)
        move2 = run.move_ids.filtered(lambda m: m.partner_id == self.tenant2)
        self.assertAlmostEqual(move1.amount_untaxed, 163.12, places=2)
        self.assertAlmostEqual(move2.amount_untaxed, 292.15, places=2)
        self.assertEqual(session.billing_line_id.partner_id, self.tenant1)
