# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The real central system on 127.0.0.1 against ``ocpp`` library charge
points (1.6J and 2.0.1), handing events to a local stand-in for Odoo."""

import asyncio
import json
import logging
import ssl
import time

import pytest
import websockets
from meterkit.ocpp.api import OdooApi, Sender
from meterkit.ocpp.central import energy_wh
from meterkit.ocpp.credentials import hash_password, parse_basic_auth, verify_password
from meterkit.ocpp.store import Store
from ocpp.routing import on
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp_fakes import (
    FakeOdoo,
    Station16,
    Station201,
    basic,
    central_system,
    connect,
    station,
    tls_boot,
)

T0 = "2026-11-02T08:00:00Z"
T1 = "2026-11-02T08:10:00Z"
T2 = "2026-11-02T08:20:00Z"
T3 = "2026-11-02T08:30:00Z"


def mv16(wh, at):
    return [
        {
            "timestamp": at,
            "sampledValue": [
                {"value": str(wh), "measurand": "Energy.Active.Import.Register"}
            ],
        }
    ]


@pytest.fixture
def fake():
    server = FakeOdoo(
        ["CP-1", "CP-2"], {"04A1B2C3": "active", "LOST01": "lost", "BLK01": "blocked"}
    )
    yield server
    server.close()


def test_credentials_hash_and_basic_header():
    stored = hash_password("pw", iterations=1000)
    assert stored.startswith("pbkdf2_sha256$1000$")
    assert verify_password("pw", stored)
    assert not verify_password("PW", stored)
    assert not verify_password("pw", "md5$x$y$z")
    assert not verify_password("pw", "garbage")
    assert parse_basic_auth("Basic Q1AtMTpwdw==") == ("CP-1", "pw")
    assert parse_basic_auth("Bearer x") is None
    assert parse_basic_auth("Basic !!!") is None


@pytest.mark.parametrize(
    "meter_value, expected",
    [
        # 1.6: string value, Wh by default
        ([{"timestamp": T0, "sampled_value": [{"value": "1500"}]}], 1500.0),
        # 1.6 kWh, phase values and other measurands are not the register
        (
            [
                {
                    "timestamp": T0,
                    "sampled_value": [
                        {"value": "2.5", "unit": "kWh"},
                        {"value": "1", "phase": "L1"},
                        {"value": "230", "measurand": "Voltage"},
                    ],
                }
            ],
            2500.0,
        ),
        # 2.0.1: number with unit_of_measure and multiplier (kWh x 10^1)
        (
            [
                {
                    "timestamp": T0,
                    "sampled_value": [
                        {
                            "value": 1.25,
                            "unit_of_measure": {"unit": "kWh", "multiplier": 1},
                        }
                    ],
                }
            ],
            12500.0,
        ),
        ([{"timestamp": T0, "sampled_value": [{"value": "x"}]}], None),
        (None, None),
    ],
)
def test_energy_wh(meter_value, expected):
    found = energy_wh(meter_value)
    assert (found[0] if found else None) == expected


def test_ocpp16_session_badges_remote_stop(fake, tmp_path, caplog):
    """Boot, status, Authorize accepted / unknown / lost / blocked, a session
    with meter values (one going backwards is ignored), a remote stop from
    Odoo, the charge point's StopTransaction and a duplicate of it."""

    async def scenario():
        async with central_system(fake, tmp_path) as central:
            async with station(Station16, central.port, "CP-1") as cp:
                boot = await cp.call(
                    call16.BootNotification(
                        charge_point_model="Wallbox", charge_point_vendor="ACME"
                    )
                )
                assert boot.status == "Accepted" and boot.interval == 300
                await cp.call(
                    call16.StatusNotification(
                        connector_id=1, error_code="NoError", status="Available"
                    )
                )
                statuses = {}
                for tag in ("04A1B2C3", "UNKNOWN", "LOST01", "BLK01"):
                    answer = await cp.call(call16.Authorize(id_tag=tag))
                    statuses[tag] = answer.id_tag_info["status"]
                assert statuses == {
                    "04A1B2C3": "Accepted",
                    "UNKNOWN": "Invalid",
                    "LOST01": "Blocked",
                    "BLK01": "Blocked",
                }
                # a badge lost in Odoo is refused at the next Authorize
                fake.badges["04A1B2C3"] = "lost"
                answer = await cp.call(call16.Authorize(id_tag="04A1B2C3"))
                assert answer.id_tag_info["status"] == "Blocked"
                fake.badges["04A1B2C3"] = "active"

                start = await cp.call(
                    call16.StartTransaction(
                        connector_id=1,
                        id_tag="04A1B2C3",
                        meter_start=1000,
                        timestamp=T0,
                    )
                )
                assert start.id_tag_info["status"] == "Accepted"
                tid = start.transaction_id
                for wh, at in ((3000, T1), (2500, T2), (5000, T2)):
                    await cp.call(
                        call16.MeterValues(
                            connector_id=1,
                            transaction_id=tid,
                            meter_value=mv16(wh, at),
                        )
                    )
                fake.commands.append(
                    {
                        "id": 7,
                        "charge_point": "CP-1",
                        "action": "remote_stop",
                        "params": {"transaction_id": str(tid)},
                    }
                )
                assert await central.poll_commands() == 1
                assert cp.remote_stops == (tid,)
                for _repeat in range(2):
                    stop = await cp.call(
                        call16.StopTransaction(
                            meter_stop=6000,
                            timestamp=T3,
                            transaction_id=tid,
                            reason="Remote",
                            id_tag="04A1B2C3",
                        )
                    )
                    assert stop.id_tag_info["status"] == "Accepted"
            await central.sender.flush()
            return tid

    with caplog.at_level(logging.WARNING):
        tid = asyncio.run(scenario())
    assert "goes backwards" in caplog.text
    assert "duplicate stop" in caplog.text
    (boot,) = fake.of_type("boot")
    assert boot["vendor"] == "ACME" and boot["protocol"] == "ocpp1.6"
    (start,) = fake.of_type("session_start")
    assert start["transaction_id"] == str(tid)
    assert start["token"] == "04A1B2C3" and start["meter_start_wh"] == 1000
    assert [e["energy_wh"] for e in fake.of_type("meter_values")] == [3000, 5000]
    (stop,) = fake.of_type("session_stop")
    assert stop["meter_stop_wh"] == 6000 and stop["reason"] == "Remote"
    (result,) = fake.of_type("command_result")
    assert result["command_id"] == 7 and result["status"] == "Accepted"
    assert [e["online"] for e in fake.of_type("connection")] == [True, False]


def test_ocpp16_dropped_mid_session_and_reconnect(fake, tmp_path):
    """The websocket drops after the start; the charge point reconnects,
    re-sends the StartTransaction it got no answer for and stops: one session,
    the same transaction id."""

    async def scenario():
        async with central_system(fake, tmp_path) as central:
            async with station(Station16, central.port, "CP-2") as cp:
                start = await cp.call(
                    call16.StartTransaction(
                        connector_id=2, id_tag="04A1B2C3", meter_start=0, timestamp=T0
                    )
                )
            async with station(Station16, central.port, "CP-2") as cp:
                again = await cp.call(
                    call16.StartTransaction(
                        connector_id=2, id_tag="04A1B2C3", meter_start=0, timestamp=T0
                    )
                )
                assert again.transaction_id == start.transaction_id
                await cp.call(
                    call16.MeterValues(connector_id=2, meter_value=mv16(700, T1))
                )
                await cp.call(
                    call16.StopTransaction(
                        meter_stop=1200,
                        timestamp=T2,
                        transaction_id=start.transaction_id,
                    )
                )
            await central.sender.flush()

    asyncio.run(scenario())
    assert len(fake.of_type("session_start")) == 1
    assert [e["energy_wh"] for e in fake.of_type("meter_values")] == [700]
    (stop,) = fake.of_type("session_stop")
    assert stop["meter_stop_wh"] == 1200
    assert [e["online"] for e in fake.of_type("connection")] == [True, False] * 2


def test_ocpp201_transaction_events_and_request_stop(fake, tmp_path):
    async def scenario():
        async with central_system(fake, tmp_path) as central:
            async with station(Station201, central.port, "CP-1", "ocpp2.0.1") as cp:
                boot = await cp.call(
                    call201.BootNotification(
                        charging_station={"model": "EVB", "vendor_name": "ACME"},
                        reason="PowerUp",
                    )
                )
                assert boot.status == "Accepted"
                answer = await cp.call(
                    call201.Authorize(
                        id_token={"id_token": "BLK01", "type": "ISO14443"}
                    )
                )
                assert answer.id_token_info["status"] == "Blocked"

                def event(kind, seq, at, kwh, **kw):
                    return call201.TransactionEvent(
                        event_type=kind,
                        timestamp=at,
                        trigger_reason="Authorized"
                        if seq == 0
                        else "MeterValuePeriodic",
                        seq_no=seq,
                        transaction_info={"transaction_id": "TX-42", **kw},
                        evse={"id": 1, "connector_id": 1},
                        meter_value=[
                            {
                                "timestamp": at,
                                "sampled_value": [
                                    {
                                        "value": kwh,
                                        "unit_of_measure": {"unit": "kWh"},
                                    }
                                ],
                            }
                        ],
                        id_token={"id_token": "04A1B2C3", "type": "ISO14443"}
                        if seq == 0
                        else None,
                    )

                started = await cp.call(event("Started", 0, T0, 10.0))
                assert started.id_token_info["status"] == "Accepted"
                await cp.call(event("Updated", 1, T1, 12.5))
                # the same Updated again (a replay): stored once
                await cp.call(event("Updated", 1, T1, 12.5))
                fake.commands.append(
                    {
                        "id": 8,
                        "charge_point": "CP-1",
                        "action": "remote_stop",
                        "params": {"transaction_id": "TX-42"},
                    }
                )
                await central.poll_commands()
                assert cp.remote_stops == ("TX-42",)
                await cp.call(event("Ended", 2, T2, 14.0, stopped_reason="Remote"))
            await central.sender.flush()

    asyncio.run(scenario())
    (start,) = fake.of_type("session_start")
    assert start["transaction_id"] == "TX-42" and start["meter_start_wh"] == 10000
    assert start["protocol"] == "ocpp2.0.1" and start["connector"] == 1
    assert [e["energy_wh"] for e in fake.of_type("meter_values")] == [12500]
    (stop,) = fake.of_type("session_stop")
    assert stop["meter_stop_wh"] == 14000 and stop["reason"] == "Remote"
    assert fake.of_type("command_result")[0]["status"] == "Accepted"


def test_wrong_credentials_and_missing_subprotocol_refused(fake, tmp_path, caplog):
    async def scenario():
        async with central_system(fake, tmp_path) as central:
            for identity, password in (("CP-1", "wrong"), ("CP-9", "s3cret-password")):
                with pytest.raises(websockets.InvalidStatus) as refused:
                    async with connect(central.port, identity, password=password):
                        pass
                assert refused.value.response.status_code == 401
            # an OCPP version not served: refused at the handshake
            with pytest.raises(websockets.InvalidStatus) as refused:
                async with connect(central.port, "CP-1", protocol="ocpp9"):
                    pass
            assert refused.value.response.status_code == 400
            # no subprotocol at all: refused too
            with pytest.raises(websockets.InvalidStatus) as refused:
                async with websockets.connect(
                    f"ws://127.0.0.1:{central.port}/CP-1",
                    additional_headers=basic("CP-1"),
                ):
                    pass
            assert refused.value.response.status_code == 400

    with caplog.at_level(logging.WARNING):
        asyncio.run(scenario())
    assert "'CP-1' refused" in caplog.text and "'CP-9' refused" in caplog.text
    assert not fake.of_type("session_start")


def test_schema_invalid_message_answered_with_call_error(fake, tmp_path):
    async def scenario():
        async with central_system(fake, tmp_path) as central:
            async with connect(central.port, "CP-1") as ws:
                # meterStart must be an integer, idTag is missing
                await ws.send(json.dumps([2, "m1", "StartTransaction", {"x": 1}]))
                answer = json.loads(await ws.recv())
                await ws.send(json.dumps([2, "m2", "NoSuchAction", {}]))
                unknown = json.loads(await ws.recv())
            return answer, unknown

    answer, unknown = asyncio.run(scenario())
    assert answer[0] == 4 and answer[1] == "m1"
    assert answer[2] in ("FormationViolation", "FormatViolation")
    assert unknown[0] == 4 and unknown[2] == "NotSupported"
    assert not fake.of_type("session_start")


def test_odoo_unreachable_events_buffered_then_delivered_once(fake, tmp_path):
    """Odoo is down during a session: the charge point is answered, events
    wait in the SQLite outbox (surviving a restart of the central system)
    and reach Odoo once, in order, when it is back."""
    fake.down = True

    async def scenario():
        async with central_system(fake, tmp_path) as central:
            # credentials and badges were loaded before Odoo went down
            fake.down = False
            await central.directory.refresh()
            fake.down = True
            async with station(Station16, central.port, "CP-1") as cp:
                start = await cp.call(
                    call16.StartTransaction(
                        connector_id=1, id_tag="04A1B2C3", meter_start=0, timestamp=T0
                    )
                )
                assert start.id_tag_info["status"] == "Accepted"
                await cp.call(
                    call16.StopTransaction(
                        meter_stop=900,
                        timestamp=T1,
                        transaction_id=start.transaction_id,
                    )
                )
            with pytest.raises(Exception, match="503"):
                await central.sender.flush()
            assert central.store.pending_count() == 4

    asyncio.run(scenario())
    assert fake.events == []
    fake.down = False

    async def restart():
        store = Store(str(tmp_path / "central.sqlite"))
        sender = Sender(store, OdooApi(fake.url, "test-key", timeout=5))
        assert await sender.flush() == 4
        assert await sender.flush() == 0
        store.close()

    asyncio.run(restart())
    assert [e["type"] for e in fake.events] == [
        "connection",
        "session_start",
        "session_stop",
        "connection",
    ]


class Commanded16(Station16):
    @on(Action16.remote_start_transaction)
    def on_remote_start(self, id_tag, connector_id=None, **_kw):
        return result16.RemoteStartTransaction(status="Accepted")

    @on(Action16.change_availability)
    def on_change_availability(self, connector_id, type):  # noqa: A002
        return result16.ChangeAvailability(status="Scheduled")


class Commanded201(Station201):
    @on("RequestStartTransaction")
    def on_request_start(self, id_token, remote_start_id, **_kw):
        return result201.RequestStartTransaction(status="Accepted")

    @on("ChangeAvailability")
    def on_change_availability(self, operational_status, **_kw):
        return result201.ChangeAvailability(status="Accepted")

    @on("Reset")
    def on_reset(self, type, **_kw):  # noqa: A002
        return result201.Reset(status="Rejected")


@pytest.mark.parametrize(
    "cls, protocol, expected",
    [
        (Commanded16, "ocpp1.6", ["Accepted", "Scheduled", "Accepted", "offline"]),
        (Commanded201, "ocpp2.0.1", ["Accepted", "Accepted", "Rejected", "offline"]),
    ],
)
def test_commands_from_odoo_executed_once(fake, tmp_path, cls, protocol, expected):
    """Remote start, availability and reset reach the charge point in its
    protocol; a command for a charge point not connected is answered
    ``offline``; a command polled again is not executed twice."""

    async def scenario():
        async with central_system(fake, tmp_path) as central:
            async with station(cls, central.port, "CP-1", protocol):
                fake.commands = [
                    {
                        "id": 1,
                        "charge_point": "CP-1",
                        "action": "remote_start",
                        "params": {"token": "04A1B2C3", "connector": 1},
                    },
                    {
                        "id": 2,
                        "charge_point": "CP-1",
                        "action": "change_availability",
                        "params": {"connector": 1, "operative": False},
                    },
                    {
                        "id": 3,
                        "charge_point": "CP-1",
                        "action": "reset",
                        "params": {"hard": False},
                    },
                    {"id": 4, "charge_point": "CP-2", "action": "reset"},
                ]
                await central.poll_commands()
                fake.commands = [
                    {"id": 1, "charge_point": "CP-1", "action": "remote_start"}
                ]
                await central.poll_commands()
            await central.sender.flush()

    asyncio.run(scenario())
    results = fake.of_type("command_result")
    assert [r["status"] for r in results] == expected
    assert [r["command_id"] for r in results] == [1, 2, 3, 4]


def test_security_profile_2_tls_and_basic_auth(fake, tmp_path):
    """wss:// with the central system's certificate and Basic auth."""
    from test_exchange_ftp import self_signed  # the FTPS tests' certificate

    pem = self_signed(tmp_path)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(pem)
    client_ctx = ssl.create_default_context(cafile=str(pem))
    client_ctx.check_hostname = False  # its name is in the subject, not a SAN

    async def scenario():
        async with central_system(fake, tmp_path, server_ctx, relay=False) as central:
            return await tls_boot(central.port, client_ctx, headers=basic("CP-1"))

    assert asyncio.run(scenario()) == "Accepted"


def test_outbox_keeps_answered_events_a_day(tmp_path):
    """An event queued again while kept is stored once; after the purge of
    answered events only the unanswered one stays."""
    store = Store(str(tmp_path / "outbox.sqlite"))
    assert store.enqueue("a", {"type": "heartbeat"})
    assert not store.enqueue("a", {"type": "heartbeat"})
    assert store.enqueue("b", {"type": "heartbeat"})
    (row_a, _event), _row_b = store.pending()
    store.mark_sent({row_a: {"status": "ok"}})
    store.purge(time.time() - 3600)
    assert not store.enqueue("a", {"type": "heartbeat"}), "kept for an hour"
    store.purge(time.time() + 1)
    assert [e["key"] for _i, e in store.pending()] == ["b"]
    assert store.pending_count() == 1
    store.close()
