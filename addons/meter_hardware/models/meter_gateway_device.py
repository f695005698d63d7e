# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import timedelta
from decimal import Decimal

from meterkit.drivers import DeviceSpec

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# A phase below this while another is above NORMAL_VOLTAGE has lost its voltage.
LOSS_VOLTAGE = Decimal(50)
NORMAL_VOLTAGE = Decimal(150)


class MeterGatewayDevice(models.Model):
    """Where a meter is found behind a gateway: Modbus unit id and register
    map, M-Bus primary or secondary address, or Shelly channel; and, for
    meters with a relay, how to switch it."""

    _name = "meter.gateway.device"
    _description = "Meter on a Gateway"
    _order = "gateway_id, unit_id, mbus_primary, shelly_channel, id"
    _check_company_auto = True

    gateway_id = fields.Many2one(
        "meter.gateway", required=True, ondelete="cascade", index=True
    )
    gateway_kind = fields.Selection(related="gateway_id.kind")
    meter_id = fields.Many2one(
        "meter.meter", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="gateway_id.company_id", store=True)
    site_id = fields.Many2one(related="gateway_id.site_id", store=True, index=True)
    active = fields.Boolean(default=True)
    map_id = fields.Many2one(
        "meter.register.map", string="Register Map", ondelete="restrict"
    )
    unit_id = fields.Integer(string="Modbus Unit Id", default=1)
    mbus_primary = fields.Integer(string="M-Bus Primary Address")
    mbus_secondary = fields.Char(
        string="M-Bus Secondary Address", help="16 hex digits IIIIIIIIMMMMVVMM"
    )
    shelly_channel = fields.Integer(string="Shelly Channel")
    shelly_kind = fields.Selection(
        [("switch", "Relay with metering (Switch)"), ("em", "Energy meter (EM)")],
        default="switch",
    )
    relay_kind = fields.Selection(
        [("none", "None"), ("coil", "Modbus coil"), ("shelly", "Shelly switch")],
        default="none",
        required=True,
    )
    relay_address = fields.Integer(help="Coil number or Shelly switch id.")
    last_read_at = fields.Datetime(readonly=True)
    last_values = fields.Text(readonly=True)
    last_error = fields.Text(readonly=True)

    _meter_uniq = models.UniqueIndex(
        "(meter_id) WHERE active", "A meter is read through one gateway only."
    )

    @api.constrains("unit_id", "mbus_primary", "mbus_secondary", "map_id")
    def _check_address(self):
        for device in self:
            kind = device.gateway_id.kind
            if kind.startswith("modbus") and not 1 <= device.unit_id <= 247:
                raise ValidationError(
                    self.env._(
                        "%(meter)s: a Modbus unit id is 1..247.",
                        meter=device.meter_id.name,
                    )
                )
            if (
                kind.startswith("mbus")
                and not device.mbus_secondary
                and not (0 <= device.mbus_primary <= 250)
            ):
                raise ValidationError(
                    self.env._(
                        "%(meter)s: an M-Bus primary address is 0..250.",
                        meter=device.meter_id.name,
                    )
                )
            if device.mbus_secondary:
                text = device.mbus_secondary.strip().upper()
                if len(text) != 16 or any(c not in "0123456789ABCDEF" for c in text):
                    raise ValidationError(
                        self.env._(
                            "%(meter)s: a secondary address is 16 hex digits.",
                            meter=device.meter_id.name,
                        )
                    )

    def _compute_display_name(self):
        for device in self:
            device.display_name = (
                f"{device.gateway_id.name} / {device.meter_id.name} "
                f"({device._address_text()})"
            )

    def _address_text(self):
        kind = self.gateway_id.kind or ""
        if kind.startswith("modbus"):
            return f"unit {self.unit_id}"
        if kind.startswith("mbus"):
            return self.mbus_secondary or f"primary {self.mbus_primary}"
        return f"channel {self.shelly_channel}"

    # ------------------------------------------------------------
    # POLLING
    # ------------------------------------------------------------

    def _device_spec(self, with_relays=True):
        """Plain description for meterkit's poller; a relay is switched only
        when the meter's desired supply state differs from what the device
        last confirmed."""
        self.ensure_one()
        kind = self.gateway_id.kind
        meter = self.meter_id
        relay = None
        if (
            with_relays
            and self.relay_kind != "none"
            and meter.supply_desired
            and meter.supply_desired != meter.supply_actual
        ):
            relay = (self.relay_address, meter.supply_desired == "on")
        address = self.unit_id
        if kind.startswith("mbus"):
            address = self.mbus_primary
        elif kind == "shelly":
            address = self.shelly_channel
        m3 = self.env.ref("uom.product_uom_cubic_meter", raise_if_not_found=False)
        return DeviceSpec(
            key=self.id,
            mbus_quantity="Volume" if meter.uom_id == m3 else "Energy",
            address=address,
            secondary=(self.mbus_secondary or "").strip().upper(),
            regmap=self.map_id._to_meterkit() if self.map_id else None,
            register_count=meter.register_count or 1,
            shelly_kind=self.shelly_kind or "switch",
            relay=relay,
        )

    def _record_values(self, result, now):
        """Keep the decoded values of a successful read on the device."""
        self.write(
            {
                "last_read_at": now,
                "last_error": False,
                "last_values": json.dumps(
                    {k: str(v) for k, v in sorted(result.values.items())}
                ),
            }
        )

    def _reading_rows(self, result, slot):
        """(meter_id, register, read_at, value) of the counters of a result,
        as read: ingestion cuts them to the decimals the meter's rules accept
        and decides what is stored."""
        self.ensure_one()
        meter = self.meter_id
        registers = {f"T{i}" for i in range(1, (meter.register_count or 1) + 1)}
        return [
            (meter.id, register, slot, value)
            for register, value in sorted(result.counters.items())
            if register in registers and value is not None and value >= 0
        ]

    def _alarm_vals(self, kind, error):
        return {
            "kind": kind,
            "gateway_id": self.gateway_id.id,
            "meter_id": self.meter_id.id,
            "message": self.env._(
                "%(meter)s (%(address)s): %(code)s: %(error)s",
                meter=self.meter_id.name,
                address=self._address_text(),
                code=error.code,
                error=error,
            ),
        }

    def _check_values(self, result, now):
        """Wiring faults visible in the values, and the device clock.

        :return: (alarms to raise, alarm keys to resolve, note for the log)
        """
        self.ensure_one()
        raised, resolved = [], []
        for check in (self._check_reverse_flow, self._check_voltage_loss):
            alarm, resolve = check(result.values)
            raised += [alarm] if alarm else []
            resolved += [resolve] if resolve else []
        return raised, resolved, self._clock_drift_note(result.device_time, now)

    def _device_alarm(self, kind, message):
        """Values of an alarm of ``kind`` on this device's meter."""
        return {
            "kind": kind,
            "gateway_id": self.gateway_id.id,
            "meter_id": self.meter_id.id,
            "message": message,
        }

    def _check_reverse_flow(self, values):
        """``(alarm, key to resolve)``: a consumer meter measuring a negative
        power is wired backwards; a positive power clears the alarm."""
        meter = self.meter_id
        powers = {k: v for k, v in values.items() if k.startswith("power") and v}
        if meter.kind != "production" and any(v < 0 for v in powers.values()):
            message = self.env._(
                "%(meter)s measures a reverse energy flow (%(values)s): "
                "check the current transformer or the wiring direction.",
                meter=meter.name,
                values=", ".join(f"{k} {v}" for k, v in sorted(powers.items())),
            )
            return self._device_alarm("wiring_reverse", message), None
        if powers:
            return None, ("wiring_reverse", self.gateway_id.id, meter.id)
        return None, None

    def _check_voltage_loss(self, values):
        """``(alarm, key to resolve)``: a phase far below its normal voltage
        while another phase is live lost its voltage."""
        volts = {
            k: v
            for k, v in values.items()
            if k.startswith("voltage_") and v is not None
        }
        if len(volts) <= 1:
            return None, None
        lost = sorted(k for k, v in volts.items() if v < LOSS_VOLTAGE)
        if lost and any(v > NORMAL_VOLTAGE for v in volts.values()):
            message = self.env._(
                "%(meter)s lost the voltage of %(phases)s.",
                meter=self.meter_id.name,
                phases=", ".join(lost),
            )
            return self._device_alarm("wiring_voltage_loss", message), None
        return None, ("wiring_voltage_loss", self.gateway_id.id, self.meter_id.id)

    def _clock_drift_note(self, device_time, now):
        """A note for the poll log when the device clock drifts beyond the
        gateway's tolerance (the reading is stamped by the server)."""
        tolerance = self.gateway_id.clock_tolerance
        if not (device_time and tolerance):
            return ""
        drift = abs(device_time - now)
        if drift <= timedelta(minutes=tolerance):
            return ""
        return self.env._(
            "%(meter)s: device clock %(clock)s is off by %(drift)s; the "
            "reading is stamped by the server.",
            meter=self.meter_id.name,
            clock=device_time,
            drift=drift,
        )

    def _record_relay(self, relay, now):
        """Log the command and what the device confirmed; a device that does
        not follow raises an alarm."""
        self.ensure_one()
        meter = self.meter_id
        desired = "on" if relay.desired else "off"
        actual = False if relay.actual is None else ("on" if relay.actual else "off")
        state = "confirmed" if actual == desired else "failed"
        self.env["meter.relay.command"].create(
            {
                "meter_id": meter.id,
                "device_id": self.id,
                "desired": desired,
                "actual": actual,
                "reason": meter.supply_reason,
                "sent_at": now,
                "state": state,
                "raw": relay.raw,
                "error": f"{relay.error.code}: {relay.error}" if relay.error else False,
            }
        )
        if actual:
            meter.write({"supply_actual": actual, "supply_confirmed_at": now})
        key = ("relay_mismatch", self.gateway_id.id, meter.id)
        if state == "confirmed":
            self.env["meter.alarm"]._resolve([key])
        else:
            message = self.env._(
                "%(meter)s: supply asked %(desired)s, device says %(actual)s.",
                meter=meter.name,
                desired=desired,
                actual=actual or relay.error,
            )
            self.env["meter.alarm"]._raise(
                [self._device_alarm("relay_mismatch", message)]
            )
