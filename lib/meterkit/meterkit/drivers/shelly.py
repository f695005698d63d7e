# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shelly Gen2+ devices (Pro 3EM, Pro EM, Plus/Pro PM relays) over HTTP RPC.

Requests go as JSON-RPC frames to ``POST /rpc`` with an explicit timeout and,
when the device has authentication enabled, HTTP Digest (user ``admin``).
Energy counters of Shelly are in Wh; results give kWh counters on T1.
"""

import json
import time
from decimal import Decimal

from .errors import (
    CONNECTION,
    DEVICE_RPC,
    FRAME_MALFORMED,
    HTTP,
    TIMEOUT,
    DeviceError,
    FrameError,
    TransportError,
)
from .result import DeviceResult

WH = Decimal("0.001")


def _decimal(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def parse_rpc_response(text, request_id=None):
    """The ``result`` of an RPC response frame.

    :raise DeviceError: the frame carries an ``error``.
    :raise FrameError: not JSON, not an object, or no result.
    """
    try:
        frame = json.loads(text)
    except (ValueError, TypeError) as error:
        raise FrameError(
            FRAME_MALFORMED, f"not JSON: {error}", raw=str(text)[:500]
        ) from error
    if not isinstance(frame, dict):
        raise FrameError(
            FRAME_MALFORMED, "RPC response is not an object", raw=str(text)[:500]
        )
    if isinstance(frame.get("error"), dict):
        err = frame["error"]
        raise DeviceError(
            DEVICE_RPC,
            f"RPC error {err.get('code')}: {err.get('message')}",
            raw=text,
            exception_code=err.get("code"),
        )
    if request_id is not None and frame.get("id") != request_id:
        raise FrameError(
            FRAME_MALFORMED, f"RPC id {frame.get('id')!r} != {request_id}", raw=text
        )
    result = frame.get("result")
    if not isinstance(result, dict):
        raise FrameError(FRAME_MALFORMED, "RPC response has no result object", raw=text)
    return result


def em_values(status):
    """Values of ``EM.GetStatus`` (three-phase) or ``EM1.GetStatus``."""
    values = {}
    for key, value in status.items():
        number = _decimal(value)
        if number is not None and key != "id":
            values[key] = number
    return values


def switch_values(status):
    """(values, output) of ``Switch.GetStatus``; counters in kWh."""
    values = {
        k: v
        for k, v in (
            (k, _decimal(status.get(k))) for k in ("apower", "voltage", "current")
        )
        if v is not None
    }
    for key in ("aenergy", "ret_aenergy"):
        total = (
            _decimal((status.get(key) or {}).get("total"))
            if isinstance(status.get(key), dict)
            else None
        )
        if total is not None:
            values[f"{key}_kwh"] = total * WH
    output = status.get("output")
    return values, output if isinstance(output, bool) else None


class ShellyClient:
    """One Shelly device. ``channel`` is the component id (``switch:N``/``em:N``)."""

    def __init__(
        self,
        host,
        port=80,
        *,
        timeout=2.0,
        username="admin",
        password=None,
        session=None,
    ):
        import requests

        self.base = f"http://{host}:{int(port or 80)}"
        self.timeout = float(timeout)
        self.auth = (
            requests.auth.HTTPDigestAuth(username, password) if password else None
        )
        self._session = session or requests.Session()
        self._id = 0
        self._trace = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._session.close()

    def take_trace(self):
        trace, self._trace = self._trace, []
        return "\n".join(trace)

    def rpc(self, method, params=None):
        import requests

        self._id += 1
        frame = {"id": self._id, "src": "meterkit", "method": method}
        if params:
            frame["params"] = params
        body = json.dumps(frame)
        self._trace.append("> " + body)
        try:
            response = self._session.post(
                f"{self.base}/rpc", data=body, auth=self.auth, timeout=self.timeout
            )
        except requests.Timeout as error:
            raise TransportError(
                TIMEOUT,
                f"{self.base}: no answer in {self.timeout}s",
                raw=self.take_trace(),
            ) from error
        except requests.RequestException as error:
            raise TransportError(
                CONNECTION, f"{self.base}: {error}", raw=self.take_trace()
            ) from error
        self._trace.append(f"< {response.status_code} {response.text[:2000]}")
        if response.status_code == 401:
            raise TransportError(
                HTTP,
                f"{self.base}: authentication refused (401)",
                raw=self.take_trace(),
            )
        if response.status_code >= 400 and not response.text.startswith("{"):
            raise TransportError(
                HTTP, f"{self.base}: HTTP {response.status_code}", raw=self.take_trace()
            )
        return parse_rpc_response(response.text, self._id)

    def device_info(self):
        return self.rpc("Shelly.GetDeviceInfo")

    def switch_set(self, channel, on):
        """Set relay ``channel`` and read it back: ``(actual, raw)``."""
        self.take_trace()
        self.rpc("Switch.Set", {"id": int(channel), "on": bool(on)})
        _values, output = switch_values(
            self.rpc("Switch.GetStatus", {"id": int(channel)})
        )
        return output, self.take_trace()

    def read(self, channel=0, kind="switch", now=None):
        """Read an ``em`` (Pro 3EM: EM + EMData) or a ``switch`` channel."""
        started = time.monotonic()
        self.take_trace()
        channel = int(channel or 0)
        counters, extra = {}, {}
        if kind == "em":
            values = em_values(self.rpc("EM.GetStatus", {"id": channel}))
            data = em_values(self.rpc("EMData.GetStatus", {"id": channel}))
            values.update({f"{k}_kwh": v * WH for k, v in data.items()})
            if "total_act_kwh" in values:
                counters["T1"] = values["total_act_kwh"]
        else:
            values, output = switch_values(
                self.rpc("Switch.GetStatus", {"id": channel})
            )
            extra["output"] = output
            if "aenergy_kwh" in values:
                counters["T1"] = values["aenergy_kwh"]
        return DeviceResult(
            address=str(channel),
            values=values,
            counters=counters,
            raw=self.take_trace(),
            read_at=now,
            elapsed=time.monotonic() - started,
            extra=extra,
        )
