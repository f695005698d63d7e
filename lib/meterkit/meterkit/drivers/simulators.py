# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Real protocol peers on 127.0.0.1 for tests, benchmarks and installer training.

- :class:`ModbusSimulator`: a pymodbus TCP server (socket or RTU framing) with
  one device per unit id holding the register image of a :class:`RegisterMap`;
  the import energy grows on every read; coils act as relays. Faults: latency
  per request, ``silent`` (no answer), ``exception`` (device failure reply),
  :meth:`stop` / :meth:`start` (the cable is pulled and plugged back, same port).
- :class:`MBusSimulator`: an M-Bus-to-Ethernet converter in transparent mode
  answering SND_NKE, REQ_UD2 and secondary selection with given RSP_UD frames.
  Faults: ``silent``, ``garbled`` (a truncated frame), ``drop`` (closes).
- :class:`ShellySimulator`: a Shelly Gen2 device speaking HTTP RPC
  (``EM.GetStatus``, ``EMData.GetStatus``, ``Switch.GetStatus``, ``Switch.Set``).

Each runs in daemon threads, listens on a free port, and is a context manager.
"""

import asyncio
import json
import socket
import socketserver
import threading
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import mbus
from .registers import encode_value

# ------------------------------------------------------------
# MODBUS
# ------------------------------------------------------------


class SimulatedMeter:
    """The state of one simulated Modbus meter."""

    def __init__(self, regmap, values=None, step=Decimal("0.5")):
        self.regmap = regmap
        self.values = {p.key: Decimal("0") for p in regmap.points}
        defaults = {
            "voltage": "230.1",
            "current": "5.25",
            "frequency": "50",
            "power": "1200",
            "power_factor": "0.98",
        }
        for point in regmap.points:
            if point.quantity in defaults:
                self.values[point.key] = Decimal(defaults[point.quantity])
        self.values.update({k: Decimal(str(v)) for k, v in (values or {}).items()})
        self.step = Decimal(str(step))
        self.reads = 0
        self.coils = [False] * 16

    def image(self, table):
        """(start, words) of the register table, encoded from the values."""
        points = [p for p in self.regmap.points if p.table == table]
        if not points:
            return 0, [0]
        start = min(p.address for p in points)
        end = max(p.address + p.words for p in points)
        words = [0] * (end - start)
        for point in points:
            self._write(words, start, point)
        return start, words

    def _write(self, words, start, point):
        value = self.values.get(point.key)
        if value is None:
            return
        offset = point.address - start
        words[offset : offset + point.words] = encode_value(
            value, point.dtype, point.word_order, point.scale
        )

    def on_read(self, table, start_address, address, count, registers):
        """Counters grow on every read that covers the main import counter."""
        counter = next((p for p in self.regmap.points if p.register == "T1"), None)
        if (
            counter
            and counter.table == table
            and (address <= counter.address < address + count)
        ):
            self.reads += 1
            for point in self.regmap.points:
                if point.quantity.startswith("energy") and point.table == table:
                    if point.quantity != "energy_export":
                        self.values[point.key] += self.step
        for point in self.regmap.points:
            if point.table == table:
                self._write(registers, start_address, point)


class ModbusSimulator:
    """A Modbus gateway with ``meters`` ``{unit_id: SimulatedMeter}``.

    :param framer: ``socket`` (Modbus TCP) or ``rtu`` (RS485-Ethernet
        converter in transparent mode).
    :param latency: seconds of delay before each answer (a real gateway).
    """

    def __init__(self, meters, *, framer="socket", latency=0.0, port=0):
        self.meters = meters
        self.framer = framer
        self.latency = latency
        self.mode = "ok"  # ok | silent | exception
        self.port = port
        self.requests = 0
        self._loop = None
        self._thread = None
        self._server = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        self.close()

    def _device(self, unit_id, meter):
        from pymodbus.constants import ExcCodes
        from pymodbus.simulator import DataType, SimData, SimDevice

        async def action(fc, start_address, address, count, registers, set_values):
            self.requests += 1
            if self.latency:
                await asyncio.sleep(self.latency)
            if self.mode == "silent":
                await asyncio.sleep(30)
            if self.mode == "exception":
                return ExcCodes.DEVICE_FAILURE
            if fc in (3, 4):
                meter.on_read(
                    "holding" if fc == 3 else "input",
                    start_address,
                    address,
                    count,
                    registers,
                )
            if fc in (5, 15) and set_values is not None:
                for i, value in enumerate(set_values):
                    if address + i < len(meter.coils):
                        meter.coils[address + i] = bool(value)
            return None

        tables = []
        for table in ("input", "holding"):
            start, words = meter.image(table)
            tables.append([SimData(start, values=words, datatype=DataType.REGISTERS)])
        coils = [SimData(0, count=16, values=False, datatype=DataType.BITS)]
        return SimDevice(
            unit_id, simdata=(coils, coils[:], tables[1], tables[0]), action=action
        )

    def _absent(self):
        """Unit id 0 answers for every unknown unit: "gateway target device
        failed to respond" (0x0B), as a real Modbus TCP gateway does."""
        from pymodbus.constants import ExcCodes
        from pymodbus.simulator import DataType, SimData, SimDevice

        async def action(*args):
            return ExcCodes.GATEWAY_NO_RESPONSE

        block = [SimData(0, count=0xFFFF, values=0, datatype=DataType.REGISTERS)]
        bits = [SimData(0, count=0xFFF, values=False, datatype=DataType.BITS)]
        return SimDevice(0, simdata=(bits, bits[:], block, block[:]), action=action)

    def start(self):
        """Listen (again) on the same port."""
        from pymodbus import FramerType
        from pymodbus.server import ModbusTcpServer

        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
            self._thread.start()
        devices = [self._device(uid, meter) for uid, meter in self.meters.items()]
        devices.append(self._absent())
        framer = FramerType.SOCKET if self.framer == "socket" else FramerType.RTU

        async def serve():
            server = ModbusTcpServer(
                devices,
                framer=framer,
                address=("127.0.0.1", self.port),
                ignore_missing_devices=True,
            )
            await server.serve_forever(background=True)
            return server

        self._server = asyncio.run_coroutine_threadsafe(serve(), self._loop).result(10)
        self.port = self._server.transport.sockets[0].getsockname()[1]
        return self

    def stop(self):
        """Close the listener and every connection (the cable is pulled)."""
        if self._server is not None:
            asyncio.run_coroutine_threadsafe(
                self._server.shutdown(), self._loop
            ).result(10)
            self._server = None

    def close(self):
        if self._loop is not None:

            async def cancel_pending():
                current = asyncio.current_task()
                tasks = [t for t in asyncio.all_tasks() if t is not current]
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

            asyncio.run_coroutine_threadsafe(cancel_pending(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop.close()
            self._loop = None


# ------------------------------------------------------------
# M-BUS
# ------------------------------------------------------------


def heat_meter_frame(
    address,
    identification,
    energy_kwh,
    volume_m3,
    access_number=1,
    manufacturer="KAM",
    clock=None,
):
    """RSP_UD of a heat meter (EN 13757-3): energy in kWh (VIF 0x06, BCD8),
    volume in 0.01 m³ (VIF 0x14, int32), flow/return temperature, the meter's
    clock (type F; ``clock`` or 2021-03-23 12:30)."""
    records = [
        bytes([0x0C, 0x06]) + mbus.bcd_bytes(int(energy_kwh), 4),
        bytes([0x04, 0x14]) + int(Decimal(str(volume_m3)) * 100).to_bytes(4, "little"),
        bytes([0x02, 0x59]) + (6512).to_bytes(2, "little"),
        bytes([0x02, 0x5D]) + (4105).to_bytes(2, "little"),
        bytes([0x04, 0x6D])
        + mbus.datetime_f_bytes(clock or datetime(2021, 3, 23, 12, 30)),
        bytes([0x0F, 0x01, 0x02]),
    ]
    return mbus.build_rsp_ud(
        address,
        identification,
        manufacturer,
        0x04,
        records,
        access_number=access_number,
    )


class _ThreadedPeer:
    """A socketserver served by a daemon thread while in a ``with`` block."""

    def _listen(self, server):
        self._server = server
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


class MBusSimulator(_ThreadedPeer):
    """A transparent M-Bus converter with ``slaves``: ``{primary: frame}``
    where ``frame`` is bytes or a callable ``(access_number) -> bytes``."""

    def __init__(self, slaves, port=0, host="127.0.0.1"):
        self.slaves = dict(slaves)
        self.mode = "ok"  # ok | silent | garbled | drop
        self.requests = 0
        self._selected = None
        self._access = 0
        self._telegram, self._last_fcb = {}, {}
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                outer._serve(self.request)

        self._listen(socketserver.ThreadingTCPServer((host, port), Handler))

    def _frame_of(self, address, fcb=None):
        """The slave's RSP_UD; a list of frames is a multi-telegram answer
        (the next one on each REQ_UD2 with the FCB toggled)."""
        frame = self.slaves[address]
        self._access = (self._access + 1) % 256
        if isinstance(frame, list):
            index = self._telegram.get(address)
            if index is None or fcb is None or index == len(frame) - 1:
                index = 0  # a new read starts with the first telegram
            elif fcb != self._last_fcb.get(address):
                index += 1  # FCB toggled: the next telegram (else a repeat)
            self._telegram[address], self._last_fcb[address] = index, fcb
            return frame[index]
        return frame(self._access) if callable(frame) else frame

    def _secondaries(self):
        result = {}
        for address in self.slaves:
            parsed = mbus.parse_frame(self._frame_of(address))
            result[address] = parsed.secondary_address
        return result

    def _serve(self, conn):
        buffer = b""
        while True:
            try:
                chunk = conn.recv(512)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while buffer:
                frame, buffer = _split_frame(buffer)
                if frame is None:
                    break
                self.requests += 1
                if self.mode == "drop":
                    conn.close()
                    return
                answer = self._answer(frame)
                if answer and self.mode != "silent":
                    if self.mode == "garbled":
                        answer = (
                            answer[: max(1, len(answer) // 2)]
                            if len(answer) > 1
                            else b"\x10"
                        )
                    conn.sendall(answer)

    def _answer(self, raw):
        frame = mbus.parse_frame(raw)
        address = frame.address
        if frame.kind == "short" and frame.c_field == mbus.SND_NKE:
            if address == mbus.ADDRESS_SECONDARY:
                self._selected = None
                return b"\xe5"
            return b"\xe5" if address in self.slaves else None
        if frame.kind == "short" and frame.c_field & 0x4F == mbus.REQ_UD2 & 0x4F:
            if address == mbus.ADDRESS_SECONDARY:
                address = self._selected
            if address not in self.slaves:
                return None
            return self._frame_of(address, bool(frame.c_field & 0x20))
        if frame.kind == "long" and frame.ci_field == 0x52:
            mask = bytes.fromhex(frame.manufacturer_data)
            wanted = _secondary_from_bytes(mask)
            matches = [
                a
                for a, sec in self._secondaries().items()
                if all(w in ("F", s) for w, s in zip(wanted, sec, strict=True))
            ]
            if not matches:
                return None
            if len(matches) > 1:
                return (
                    b"\x68\x03\x03\x68\x08\xfd\x72\x00\x16"  # collision: bad checksum
                )
            self._selected = matches[0]
            return b"\xe5"
        return None


def _secondary_from_bytes(data):
    ident = data[0:4][::-1].hex().upper()
    manuf = data[4:6][::-1].hex().upper()
    return ident + manuf + data[6:8].hex().upper()


def _split_frame(buffer):
    """(one complete frame, rest) or (None, buffer) when more bytes are needed."""
    if buffer[0] == 0x10:
        return (buffer[:5], buffer[5:]) if len(buffer) >= 5 else (None, buffer)
    if buffer[0] == 0x68:
        if len(buffer) < 2 or len(buffer) < buffer[1] + 6:
            return None, buffer
        size = buffer[1] + 6
        return buffer[:size], buffer[size:]
    return None, b""


# ------------------------------------------------------------
# SHELLY
# ------------------------------------------------------------


REALM = "shellypro3em-sim"


class ShellySimulator(_ThreadedPeer):
    """A Shelly Pro 3EM with a relay add-on (``switch:0..n``) on HTTP."""

    def __init__(
        self,
        switches=1,
        energy_wh=1000.0,
        step_wh=10.0,
        port=0,
        host="127.0.0.1",
        password=None,
    ):
        self.password = password  # HTTP Digest SHA-256, user admin, when set
        self.switches = {
            i: {"output": True, "aenergy": float(energy_wh)} for i in range(switches)
        }
        self.em_total = float(energy_wh)
        self.step_wh = step_wh
        self.mode = "ok"  # ok | silent | error | garbage
        self.calls = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return

            def do_GET(self):
                if self.path == "/shelly":
                    return self._send(
                        200,
                        {
                            "gen": 2,
                            "model": "SPEM-003CEBEU",
                            "id": "shellypro3em-sim",
                            "auth_en": False,
                        },
                    )
                if self.path.startswith("/rpc/"):
                    method, _, query = self.path[5:].partition("?")
                    params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
                    params = {
                        k: json.loads(v) if v in ("true", "false") or v.isdigit() else v
                        for k, v in params.items()
                    }
                    frame = outer._dispatch(method, params, 0)
                    return self._send(200, frame.get("result", frame))
                return self._send(404, {"error": "not found"})

            def do_POST(self):
                size = int(self.headers.get("Content-Length") or 0)
                if outer.password and not outer._authorized(
                    "POST", self.headers.get("Authorization") or ""
                ):
                    self.rfile.read(size)
                    self.send_response(401)
                    self.send_header(
                        "WWW-Authenticate",
                        f'Digest qop="auth", realm="{REALM}", '
                        f'nonce="{outer.nonce}", algorithm=SHA-256',
                    )
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                try:
                    frame = json.loads(self.rfile.read(size) or b"{}")
                except ValueError:
                    return self._send(400, {"error": "bad json"})
                if outer.mode == "silent":
                    import time

                    time.sleep(5)
                if outer.mode == "garbage":
                    return self._raw(200, b"<html>gateway</html>")
                answer = outer._dispatch(
                    frame.get("method"), frame.get("params") or {}, frame.get("id")
                )
                return self._send(200, answer)

            def _send(self, status, body):
                self._raw(status, json.dumps(body).encode())

            def _raw(self, status, data):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    return

        self._listen(ThreadingHTTPServer((host, port), Handler))

    nonce = "60c8a1f2"

    def _authorized(self, method, header):
        """Check an HTTP Digest (SHA-256, qop=auth) answer for user admin."""
        import hashlib
        import re

        if not header.startswith("Digest "):
            return False
        parts = dict(re.findall(r'(\w+)="?([^",]*)"?', header[7:]))

        def sha(text):
            return hashlib.sha256(text.encode()).hexdigest()

        ha1 = sha(f"admin:{REALM}:{self.password}")
        ha2 = sha(f"{method}:{parts.get('uri', '')}")
        expected = sha(
            f"{ha1}:{parts.get('nonce')}:{parts.get('nc')}:{parts.get('cnonce')}:"
            f"{parts.get('qop')}:{ha2}"
        )
        return parts.get("username") == "admin" and parts.get("response") == expected

    def _dispatch(self, method, params, request_id):
        self.calls.append((method, params))
        head = {"id": request_id, "src": "shellypro3em-sim"}
        if self.mode == "error":
            return {**head, "error": {"code": -103, "message": "Resource unavailable"}}
        channel = int(params.get("id", 0) or 0)
        if method == "Switch.Set" and channel in self.switches:
            was = self.switches[channel]["output"]
            self.switches[channel]["output"] = bool(params.get("on"))
            return {**head, "result": {"was_on": was}}
        if method == "Switch.GetStatus" and channel in self.switches:
            sw = self.switches[channel]
            if sw["output"]:
                sw["aenergy"] += self.step_wh
            return {
                **head,
                "result": {
                    "id": channel,
                    "source": "init",
                    "output": sw["output"],
                    "apower": 120.5 if sw["output"] else 0,
                    "voltage": 230.2,
                    "current": 0.52,
                    "aenergy": {"total": round(sw["aenergy"], 3)},
                    "ret_aenergy": {"total": 0.0},
                },
            }
        if method == "EM.GetStatus" and channel == 0:
            return {
                **head,
                "result": {
                    "id": 0,
                    "a_current": 1.1,
                    "a_voltage": 230.1,
                    "a_act_power": 250.0,
                    "b_current": 0.9,
                    "b_voltage": 229.8,
                    "b_act_power": 200.0,
                    "c_current": 0.0,
                    "c_voltage": 0.0,
                    "c_act_power": 0.0,
                    "total_current": 2.0,
                    "total_act_power": 450.0,
                },
            }
        if method == "EMData.GetStatus" and channel == 0:
            self.em_total += self.step_wh
            return {
                **head,
                "result": {
                    "id": 0,
                    "total_act": round(self.em_total, 2),
                    "total_act_ret": 0.0,
                },
            }
        if method == "Shelly.GetDeviceInfo":
            return {
                **head,
                "result": {
                    "id": "shellypro3em-sim",
                    "gen": 2,
                    "model": "SPEM-003CEBEU",
                    "fw_id": "sim",
                },
            }
        return {**head, "error": {"code": -114, "message": f"Method {method} failed"}}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
