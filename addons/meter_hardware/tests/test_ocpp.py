# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import asyncio
import base64
import contextlib
import json
import tempfile
from datetime import datetime
from pathlib import Path

from meterkit.ocpp.api import Directory, OdooApi, Sender
from meterkit.ocpp.central import CentralSystem
from meterkit.ocpp.credentials import verify_password
from meterkit.ocpp.store import Store
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Cp16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from websockets.asyncio.client import connect

from odoo.tests import HttpCase, freeze_time, tagged

from odoo.addons.meter_base.tests.common import MeterBaseCommon

PASSWORD = "cp-secret-1"
API = "/meter/api/v1/ocpp"
BASIC = base64.b64encode(f"CP-A-1:{PASSWORD}".encode()).decode()


class Station16(Cp16):
    """An OCPP 1.6J charge point (the ``ocpp`` library) that accepts remote
    stops."""

    remote_stops = ()

    @on(Action16.remote_stop_transaction)
    def on_remote_stop(self, transaction_id):
        self.remote_stops = (*self.remote_stops, transaction_id)
        return result16.RemoteStopTransaction(status="Accepted")


class OcppCommon(MeterBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.occupancy = cls.env["meter.occupancy"].create(
            {
                "unit_id": cls.unit_a1.id,
                "partner_id": cls.tenant.id,
                "role": "tenant",
                "date_start": "2026-01-01",
            }
        )
        cls.charge_point = cls.env["meter.charge.point"].create(
            {
                "name": "Garage wallbox 1",
                "identity": "CP-A-1",
                "site_id": cls.site_a.id,
                "password": PASSWORD,
            }
        )
        cls.charge_point_b = cls.env["meter.charge.point"].create(
            {"name": "Wallbox B", "identity": "CP-B-1", "site_id": cls.site_b.id}
        )
        Badge = cls.env["meter.badge"]
        cls.badge = Badge.create(
            {
                "token": "04 a1 b2 c3",
                "site_id": cls.site_a.id,
                "occupancy_id": cls.occupancy.id,
                "partner_id": cls.tenant.id,
            }
        )
        cls.badge_lost = Badge.create(
            {"token": "0B0B0B0B", "site_id": cls.site_a.id, "state": "lost"}
        )


@tagged("post_install", "-at_install")
class TestOcppModels(OcppCommon):
    def test_password_hashed_badge_normalized(self):
        cp = self.charge_point
        self.assertTrue(verify_password(PASSWORD, cp.password_hash))
        self.assertNotIn(PASSWORD, cp.password_hash)
        self.assertFalse(cp.password)
        self.assertEqual(self.badge.token, "04A1B2C3")
        self.assertFalse(
            self.charge_point_b.with_user(self.technician).search(
                [("identity", "=", "CP-B-1")]
            ),
            "a technician of site A does not see site B's charge points",
        )

    def test_offline_and_unstopped_session_alarms(self):
        """Last message 08:00, offline after 15 min: at 08:20 it is offline.
        A session started at 06:00 the day before runs > 24 h: alarm. When
        the charge point talks again and the session stops, both close."""
        cp = self.charge_point
        cp.write({"state": "online", "last_seen_at": datetime(2026, 11, 3, 8, 0)})
        session = self.env["meter.usage.session"].create(
            {
                "charge_point_id": cp.id,
                "transaction_id": "1",
                "start_at": datetime(2026, 11, 2, 6, 0),
            }
        )
        Alarm = self.env["meter.alarm"]
        with freeze_time("2026-11-03 08:20:00"):
            self.env["meter.charge.point"]._cron_check()
        alarms = Alarm.search([("charge_point_id", "=", cp.id)])
        self.assertEqual(
            sorted(alarms.mapped("kind")), ["charge_point_offline", "session_unstopped"]
        )
        self.assertEqual(cp.state, "offline")
        self.assertEqual(alarms.site_id, self.site_a)
        cp.last_seen_at = datetime(2026, 11, 3, 8, 25)
        session.state = "stopped"
        with freeze_time("2026-11-03 08:30:00"):
            self.env["meter.charge.point"]._cron_check()
        self.assertEqual(set(alarms.mapped("state")), {"closed"})


@tagged("post_install", "-at_install")
class TestOcppCentralSystem(HttpCase, OcppCommon):
    """The real central system (meterkit.ocpp) on 127.0.0.1, posting to this
    test server's OCPP API, against an ``ocpp`` library charge point."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        keys_sudo = cls.env["res.users.apikeys"].with_user(cls.technician).sudo()
        cls.key = keys_sudo._generate(None, "ocpp", False)

    def _post(self, path, payload, key=None):
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        response = self.url_open(
            f"{API}/{path}", data=json.dumps(payload), headers=headers, method="POST"
        )
        if response.headers.get("Content-Type", "").startswith("application/json"):
            return response.status_code, response.json()
        return response.status_code, response.text

    @contextlib.asynccontextmanager
    async def _central(self):
        tmp = tempfile.TemporaryDirectory()
        api = OdooApi(self.base_url(), self.key, timeout=30)
        store = Store(str(Path(tmp.name) / "central.sqlite"))
        central = CentralSystem(
            store, Directory(api, ttl=0, min_refresh=0), Sender(store, api), api
        )
        await central.serve("127.0.0.1", 0)
        try:
            yield central
        finally:
            await central.close()
            store.close()
            tmp.cleanup()

    def test_session_badges_remote_stop_replay(self):
        """Boot, a lost badge refused, the resident's badge accepted, a
        session 1,000 Wh -> 8,500 Wh (a value going backwards ignored), a
        remote stop asked in Odoo, a duplicate StopTransaction: one session
        of (8,500 - 1,000) / 1,000 = 7.5 kWh for the tenant's occupancy."""
        events = []

        async def scenario():
            async with self._central() as central:
                central.sender.on_result = lambda event, _result: events.append(event)
                url = f"ws://127.0.0.1:{central.port}/CP-A-1"
                async with connect(
                    url,
                    subprotocols=["ocpp1.6"],
                    additional_headers={"Authorization": f"Basic {BASIC}"},
                ) as ws:
                    cp = Station16("CP-A-1", ws, response_timeout=30)
                    task = asyncio.create_task(cp.start())
                    await cp.call(
                        call16.BootNotification(
                            charge_point_model="Wallbox", charge_point_vendor="ACME"
                        )
                    )
                    lost = await cp.call(call16.Authorize(id_tag="0b0b0b0b"))
                    ok = await cp.call(call16.Authorize(id_tag="04A1B2C3"))
                    start = await cp.call(
                        call16.StartTransaction(
                            connector_id=1,
                            id_tag="04A1B2C3",
                            meter_start=1000,
                            timestamp="2026-11-02T18:00:00Z",
                        )
                    )
                    tid = start.transaction_id
                    for wh, at in ((4000, "18:30"), (3900, "18:40"), (8000, "19:00")):
                        await cp.call(
                            call16.MeterValues(
                                connector_id=1,
                                transaction_id=tid,
                                meter_value=[
                                    {
                                        "timestamp": f"2026-11-02T{at}:00Z",
                                        "sampledValue": [{"value": str(wh)}],
                                    }
                                ],
                            )
                        )
                    await central.sender.flush()
                    self.env.invalidate_all()
                    session = self.env["meter.usage.session"].search(
                        [("charge_point_id", "=", self.charge_point.id)]
                    )
                    session.action_remote_stop()
                    # the API's requests run in other environments: write
                    # the command's stored related fields their rules read
                    self.env.flush_all()
                    await central.poll_commands()
                    for _repeat in range(2):
                        await cp.call(
                            call16.StopTransaction(
                                meter_stop=8500,
                                timestamp="2026-11-02T19:15:00Z",
                                transaction_id=tid,
                                reason="Remote",
                            )
                        )
                    task.cancel()
                await central.sender.flush()
                return lost, ok, cp.remote_stops, tid

        # the central system's own HTTP client has no test cookie
        with (
            self.allow_requests(all_requests=True),
            self.assertLogs("meterkit.ocpp.central", "WARNING") as logs,
        ):
            lost, ok, remote_stops, tid = asyncio.run(scenario())
        self.assertEqual(
            [r.getMessage() for r in logs.records],
            [
                "CP-A-1: transaction 1: meter value 3900.0 Wh goes backwards, ignored",
                "CP-A-1: duplicate stop of transaction 1, ignored",
            ],
        )
        self.env.invalidate_all()
        self.assertEqual(lost.id_tag_info["status"], "Blocked")
        self.assertEqual(ok.id_tag_info["status"], "Accepted")
        self.assertEqual(remote_stops, (tid,))
        session = self.env["meter.usage.session"].search(
            [("charge_point_id", "=", self.charge_point.id)]
        )
        self.assertEqual(len(session), 1)
        self.assertRecordValues(
            session,
            [
                {
                    "transaction_id": str(tid),
                    "state": "stopped",
                    "badge_id": self.badge.id,
                    "occupancy_id": self.occupancy.id,
                    "partner_id": self.tenant.id,
                    "energy_kwh": 7.5,
                    "duration_minutes": 75.0,
                    "stop_reason": "Remote",
                    "start_at": datetime(2026, 11, 2, 18, 0),
                    "stop_at": datetime(2026, 11, 2, 19, 15),
                }
            ],
        )
        self.assertEqual(self.charge_point.vendor, "ACME")
        self.assertEqual(self.charge_point.protocol, "ocpp1.6")
        self.assertEqual(self.charge_point.command_ids.state, "done")
        # the same events again (a central system that lost Odoo's answer)
        status, body = self._post("events", {"events": events}, self.key)
        self.assertEqual(status, 200)
        replayed = {r["status"] for r in body["results"] if "mv" in r["key"]}
        self.assertEqual(replayed, {"duplicate"})
        stops = [r for r in body["results"] if r["key"].endswith(":stop")]
        self.assertEqual([r["status"] for r in stops], ["duplicate"])
        self.env.invalidate_all()
        self.assertEqual(session.energy_kwh, 7.5)
        self.assertEqual(
            self.env["meter.usage.session"].search_count(
                [("charge_point_id", "=", self.charge_point.id)]
            ),
            1,
        )

    def test_api_auth_scope_and_bad_input(self):
        status, _body = self._post("config", {})
        self.assertEqual(status, 401)
        status, body = self._post("config", {}, self.key)
        self.assertEqual(status, 200)
        self.assertEqual(
            [cp["identity"] for cp in body["charge_points"]],
            ["CP-A-1"],
            "the key's technician sees only site A",
        )
        self.assertEqual(
            {b["token"]: b["state"] for b in body["badges"]},
            {"04A1B2C3": "active", "0B0B0B0B": "lost"},
        )
        status, body = self._post("events", {"nope": 1}, self.key)
        self.assertEqual((status, body["error"]["code"]), (400, "bad_request"))
        with self.assertLogs(
            "odoo.addons.meter_hardware.models.meter_ocpp_api", "WARNING"
        ) as logs:
            status, body = self._post(
                "events",
                {
                    "events": [
                        {"key": "a", "type": "heartbeat", "charge_point": "CP-B-1"},
                        {"key": "b", "type": "nope", "charge_point": "CP-A-1"},
                        {
                            "key": "c",
                            "type": "meter_values",
                            "charge_point": "CP-A-1",
                            "transaction_id": "999",
                            "energy_wh": 5,
                        },
                        {
                            "key": "d",
                            "type": "session_start",
                            "charge_point": "CP-A-1",
                            "transaction_id": "5",
                            "started_at": "yesterday",
                        },
                        {"type": "heartbeat"},
                        {
                            "key": "e",
                            "type": "session_start",
                            "charge_point": "CP-A-1",
                            "transaction_id": "6",
                            "started_at": "2026-11-02T18:00:00Z",
                            "connector": "one",
                        },
                    ]
                },
                self.key,
            )
        self.assertEqual(status, 200)
        self.assertEqual(
            [(r["key"], r["status"], r["message"]) for r in body["results"]],
            [
                ("a", "error", "unknown charge point"),
                ("b", "error", "unknown type"),
                ("c", "error", "unknown transaction"),
                ("d", "error", "started_at is not an ISO 8601 timestamp"),
                (None, "error", "no event key"),
                ("e", "error", "invalid literal for int() with base 10: 'one'"),
            ],
        )
        self.assertEqual(len(logs.records), 1, "the refused event is logged")
        self.assertFalse(self.charge_point_b.last_seen_at)
