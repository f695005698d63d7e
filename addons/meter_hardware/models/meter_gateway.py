# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from meterkit import codes, poll_slot
from meterkit.drivers import DriverError, GatewaySpec, poll_gateways
from meterkit.drivers.poller import open_gateway

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import split_every

KINDS = [
    ("modbus_tcp", "Modbus TCP"),
    ("modbus_rtu_tcp", "Modbus RTU over TCP converter"),
    ("modbus_rtu_serial", "Modbus RTU serial"),
    ("mbus_tcp", "M-Bus over TCP converter"),
    ("mbus_serial", "M-Bus serial"),
    ("shelly", "Shelly HTTP (Gen2 RPC)"),
]
DEFAULT_PORTS = {
    "modbus_tcp": 502,
    "modbus_rtu_tcp": 502,
    "mbus_tcp": 10001,
    "shelly": 80,
}
BATCH = 10  # gateways polled concurrently, then written and committed
MAX_BACKOFF_MINUTES = 360
SERIAL_KINDS = ("modbus_rtu_serial", "mbus_serial")


class MeterGateway(models.Model):
    """A gateway, converter or smart device through which meters are read.

    The poll cron reads due gateways in batches: each gateway over one
    connection with one request in flight (meterkit's poller, one thread per
    gateway), then writes readings, poll logs and alarms in the cron's own
    thread. A gateway that stays silent is polled less and less often
    (exponential backoff) and is declared offline after ``offline_after``
    missed intervals.
    """

    _name = "meter.gateway"
    _description = "Gateway"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "site_id, name, id"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    site_id = fields.Many2one(
        "meter.site",
        required=True,
        index=True,
        check_company=True,
        domain="[('is_group', '=', False)]",
        tracking=True,
    )
    company_id = fields.Many2one(related="site_id.company_id", store=True, index=True)
    kind = fields.Selection(KINDS, required=True, default="modbus_tcp", tracking=True)
    host = fields.Char(tracking=True)
    port = fields.Integer(
        compute="_compute_port", store=True, readonly=False, precompute=True
    )
    serial_port = fields.Char(help="e.g. /dev/ttyUSB0")
    baudrate = fields.Integer(default=9600)
    parity = fields.Selection(
        [("N", "None"), ("E", "Even"), ("O", "Odd")], default="N", required=True
    )
    poll_interval = fields.Integer(
        string="Poll Interval (min)", default=15, required=True
    )
    timeout = fields.Float(string="Timeout (s)", default=2.0, required=True)
    retries = fields.Integer(default=0, required=True)
    offline_after = fields.Integer(
        string="Offline After (intervals)",
        default=3,
        required=True,
        help="Missed poll intervals before the gateway is declared offline.",
    )
    clock_tolerance = fields.Integer(
        string="Device Clock Tolerance (min)",
        default=5,
        help="A device clock further off than this from the server is flagged; "
        "readings are always stamped by the server.",
    )
    username = fields.Char(groups="meter_base.meter_base_group_technician")
    password = fields.Char(groups="meter_base.meter_base_group_technician")
    router_kind = fields.Selection(
        [("lan", "LAN"), ("4g", "4G / LTE"), ("none", "None")], default="lan"
    )
    router_address = fields.Char(groups="meter_base.meter_base_group_technician")
    router_sim = fields.Char(
        string="SIM / ICCID", groups="meter_base.meter_base_group_technician"
    )
    router_apn = fields.Char(
        string="APN", groups="meter_base.meter_base_group_technician"
    )
    router_notes = fields.Text(groups="meter_base.meter_base_group_technician")
    state = fields.Selection(
        [
            ("new", "Not polled yet"),
            ("online", "Online"),
            ("offline", "Offline"),
            ("disabled", "Disabled"),
        ],
        default="new",
        required=True,
        tracking=True,
        copy=False,
    )
    last_contact = fields.Datetime(readonly=True, copy=False)
    last_poll_at = fields.Datetime(readonly=True, copy=False)
    next_poll_at = fields.Datetime(index=True, copy=False)
    consecutive_failures = fields.Integer(readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    device_ids = fields.One2many("meter.gateway.device", "gateway_id", string="Meters")
    device_count = fields.Integer(compute="_compute_counts")
    alarm_ids = fields.One2many("meter.alarm", "gateway_id")
    open_alarm_count = fields.Integer(compute="_compute_counts")
    poll_log_ids = fields.One2many("meter.poll.log", "gateway_id")

    _poll_interval_positive = models.Constraint(
        "CHECK (poll_interval > 0 AND timeout > 0 AND offline_after > 0)",
        "Poll interval, timeout and offline threshold must be positive.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("kind")
    def _compute_port(self):
        for gateway in self:
            if not gateway.port or gateway.port in DEFAULT_PORTS.values():
                gateway.port = DEFAULT_PORTS.get(gateway.kind, 0)

    def _compute_counts(self):
        for gateway in self:
            gateway.device_count = len(gateway.device_ids)
            gateway.open_alarm_count = len(
                gateway.alarm_ids.filtered(lambda a: a.state != "closed")
            )

    @api.constrains("kind", "host", "serial_port")
    def _check_endpoint(self):
        for gateway in self:
            if gateway.kind in SERIAL_KINDS and not gateway.serial_port:
                raise ValidationError(
                    self.env._("Gateway %s: give the serial port.", gateway.name)
                )
            if gateway.kind not in SERIAL_KINDS and not gateway.host:
                raise ValidationError(
                    self.env._(
                        "Gateway %s: give the host name or address.", gateway.name
                    )
                )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_test_connection(self):
        """Connect and read the first mapped device; say what happened."""
        self.ensure_one()
        self.check_access("write")
        spec = self._poll_specs(with_relays=False)[0]
        try:
            client = open_gateway(spec)
            try:
                if self.kind == "shelly":
                    info = client.device_info()  # HTTP: no connection until asked
            finally:
                client.close()
        except DriverError as error:
            return self._probe_result(
                self.env._("Connection failed"),
                f"{error.code}: {error}\n{error.raw or ''}",
            )
        text = self.env._("Connected to %s.", self._endpoint())
        if self.kind == "shelly":
            text += "\n" + ", ".join(f"{k}: {v}" for k, v in sorted(info.items()))
        if spec.devices:
            outcome = poll_gateways([spec._replace_devices(spec.devices[:1])])[0]
            text += "\n" + self._outcome_text(outcome)
        return self._probe_result(self.env._("Connection test"), text)

    def action_live_values(self):
        """Read every mapped device now and show the decoded values (nothing
        is stored)."""
        self.ensure_one()
        self.check_access("write")
        (outcome,) = poll_gateways(self._poll_specs(with_relays=False))
        return self._probe_result(
            self.env._("Live values"), self._outcome_text(outcome)
        )

    def action_scan(self):
        self.ensure_one()
        self.check_access("write")
        return self.env["meter.gateway.probe"]._scan(self)

    def action_poll_now(self):
        """Poll now, as the cron would (logs, alarms and relay commands are
        system records: written by the superuser once the user may write the
        gateway)."""
        self.check_access("write")
        # as the cron would: polled readings are not a user's entry, so the
        # submission window of reading rules does not apply to them
        gateways_sudo = (
            self.with_user(SUPERUSER_ID)
            .sudo()
            .try_lock_for_update(allow_referencing=True)
        )
        if not gateways_sudo:
            raise UserError(
                self.env._(
                    "This gateway is being polled right now: try again in a minute."
                )
            )
        gateways_sudo._poll(fields.Datetime.now())
        return True

    def action_disable(self):
        self.write({"state": "disabled"})
        return True

    def action_enable(self):
        self.write({"state": "new", "next_poll_at": False, "consecutive_failures": 0})
        return True

    def action_open_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "meter_hardware.meter_poll_log_action"
        )
        action["domain"] = [("gateway_id", "=", self.id)]
        return action

    def _probe_result(self, title, text):
        probe = self.env["meter.gateway.probe"].create(
            {"gateway_id": self.id, "result": text}
        )
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": "meter.gateway.probe",
            "res_id": probe.id,
            "view_mode": "form",
            "target": "new",
        }

    def _outcome_text(self, outcome):
        """What a poll found, device by device, for a commissioning screen."""
        names = {
            d.id: f"{d.meter_id.name} ({d._address_text()})" for d in self.device_ids
        }
        lines = []
        if outcome.error and not outcome.devices:
            lines.append(f"{outcome.error.code}: {outcome.error}")
        for device in outcome.devices:
            name = names.get(device.key, device.key)
            if device.error:
                lines.append(f"{name}: {device.error.code}: {device.error}")
                continue
            result = device.result
            if result is None:
                lines.append(f"{name}: -")  # nothing to read (a relay module)
                continue
            lines.append(f"{name}:")
            lines += [f"    {k} = {v}" for k, v in sorted(result.values.items())]
            lines += [
                f"    counter {k} = {v}" for k, v in sorted(result.counters.items())
            ]
            if result.device_time:
                lines.append(f"    device time = {result.device_time}")
            lines.append(result.raw)
        return "\n".join(lines)

    def _endpoint(self):
        if self.kind in SERIAL_KINDS:
            return self.serial_port or "?"
        return f"{self.host}:{self.port}"

    # ------------------------------------------------------------
    # POLLING
    # ------------------------------------------------------------

    @api.model
    def _cron_poll(self):
        """Poll the due gateways, a batch at a time, committing each batch;
        each gateway is recorded in its own company (``with_company``)."""
        now = fields.Datetime.now()
        due = self.search(
            [
                ("state", "!=", "disabled"),
                "|",
                ("next_poll_at", "=", False),
                ("next_poll_at", "<=", now),
            ],
            order="next_poll_at asc nulls first, id",
        )
        cron = self.env["ir.cron"]
        cron._commit_progress(remaining=len(due))
        for ids in split_every(BATCH, due.ids):
            # another worker polling some of them (a second cron node, a
            # "Poll Now") keeps them: they are skipped here
            batch = (
                self.browse(ids).exists().try_lock_for_update(allow_referencing=True)
            )
            for company, gateways in batch.grouped("company_id").items():
                gateways.with_company(company)._poll(fields.Datetime.now())
            if not cron._commit_progress(len(ids)):
                break

    def _poll(self, now):
        """Poll these gateways concurrently, then record everything."""
        gateways = self.filtered(lambda g: g.state != "disabled")
        if not gateways:
            return
        specs = gateways._poll_specs()
        outcomes = poll_gateways(specs, now=now, max_workers=len(specs))
        by_id = {gateway.id: gateway for gateway in gateways}
        for outcome in outcomes:
            gateway = by_id[outcome.key]
            try:
                with self.env.cr.savepoint():
                    gateway._apply_outcome(outcome, now)
            except (UserError, ValidationError, AccessError) as error:
                # one gateway's bad data must not stop the others (nor make
                # the cron fail and be deactivated): the error is its log
                gateway._record_failure(outcome, now, error)

    def _record_failure(self, outcome, now, error):
        self.env["meter.poll.log"].create(
            {
                "gateway_id": self.id,
                "started_at": now,
                "duration": outcome.elapsed,
                "state": "failed",
                "device_count": len(outcome.devices),
                "message": self.env._(
                    "The poll could not be recorded: %s",
                    getattr(error, "args", [error])[0],
                ),
                "raw": "\n\n".join(d.result.raw for d in outcome.devices if d.result),
            }
        )
        self.write(
            {
                "last_poll_at": now,
                "next_poll_at": now + timedelta(minutes=self.poll_interval),
                "last_error": str(error),
            }
        )

    def _poll_specs(self, with_relays=True):
        """Plain descriptions of these gateways for meterkit's poller."""
        self.check_access("read")
        specs = []
        # credentials are technician-only fields; the caller may read the gateway
        gateways_sudo = self.sudo()
        for gateway in gateways_sudo:
            # decommissioned meters stay mapped (history) but are not read
            devices = gateway.device_ids.filtered(
                lambda d: (
                    d.active and d.meter_id.active and d.meter_id.status != "archived"
                )
            )
            specs.append(
                _Spec(
                    key=gateway.id,
                    kind=gateway.kind,
                    host=gateway.host or "",
                    port=gateway.port or 0,
                    timeout=gateway.timeout,
                    retries=gateway.retries,
                    serial_port=gateway.serial_port or "",
                    baudrate=gateway.baudrate,
                    parity=gateway.parity,
                    username=gateway.username or "",
                    password=gateway.password or "",
                    devices=tuple(d._device_spec(with_relays) for d in devices),
                )
            )
        return specs

    def _poll_slot(self, now):
        """The instant readings of a poll at ``now`` are stamped with: the
        server clock floored to the poll interval, so that a retried or
        repeated poll of the same slot finds its readings already stored."""
        self.ensure_one()
        return poll_slot(now, self.poll_interval)

    def _apply_outcome(self, outcome, now):
        """Write what one gateway said: readings, device states, relay
        commands, a poll log, alarms, the gateway's health and next poll."""
        self.ensure_one()
        Alarm = self.env["meter.alarm"]
        rows, raised, resolved, notes = self._apply_devices(outcome, now)
        stored = self._store_readings(rows, raised, resolved, notes)
        self._record_health(outcome, now)
        if outcome.reached:
            resolved.append(("gateway_offline", self.id, False))
        elif self.state == "offline":
            raised.append(self._offline_alarm_vals(outcome))
        Alarm._resolve(resolved)
        Alarm._raise(raised)
        self.env["meter.poll.log"].create(
            self._prepare_poll_log_vals(outcome, now, stored, notes)
        )

    def _apply_devices(self, outcome, now):
        """Record each device's relay, error or values; return the reading
        rows to store and the alarms raised and resolved, with notes for the
        poll log: ``(rows, raised, resolved, notes)``."""
        slot = self._poll_slot(now)
        devices = {device.id: device for device in self.device_ids}
        rows, raised, resolved, notes = [], [], [], []
        for dev_outcome in outcome.devices:
            device = devices.get(dev_outcome.key)
            if not device:
                continue
            if dev_outcome.relay is not None:
                device._record_relay(dev_outcome.relay, now)
            if dev_outcome.error is not None:
                device.write(
                    {"last_error": f"{dev_outcome.error.code}: {dev_outcome.error}"}
                )
                if outcome.reached:
                    raised.append(
                        device._alarm_vals("communication", dev_outcome.error)
                    )
                continue
            result = dev_outcome.result
            if result is None:
                continue
            rows += device._reading_rows(result, slot)
            raised_dev, resolved_dev, note = device._check_values(result, now)
            raised += raised_dev
            resolved += resolved_dev
            if note:
                notes.append(note)
            device._record_values(result, now)
            resolved.append(("communication", self.id, device.meter_id.id))
        return rows, raised, resolved, notes

    def _offline_alarm_vals(self, outcome):
        return {
            "kind": "gateway_offline",
            "gateway_id": self.id,
            "message": self.env._(
                "No contact with gateway %(gateway)s since %(since)s: %(error)s",
                gateway=self.name,
                since=self.last_contact or self.env._("never"),
                error=outcome.error,
            ),
        }

    def _store_readings(self, rows, raised, resolved, notes):
        """Hand the rows to ingestion (source gateway, per item) and turn its
        result codes into alarms and notes: a counter going backwards raises
        an alarm; another value at a slot already stored is a repeated poll
        (the slot's first reading stands) and counts as a duplicate.

        :return: ``{"created", "duplicates", "rejected"}`` for the poll log.
        """
        if not rows:
            return {"created": 0, "duplicates": 0, "rejected": []}
        result = self.env["meter.reading.ingest"]._ingest(
            rows, source="gateway", on_error="skip", truncate=True
        )
        repeated, backwards, rejected = _sort_refusals(result["rejected"])
        meters = self.env["meter.meter"].browse({row[0] for row in rows})
        for item in rejected:
            notes.append(
                self.env._(
                    "Reading of %(meter)s refused (%(code)s): %(message)s",
                    meter=meters.browse(rows[item["index"]][0]).name,
                    code=item["code"],
                    message=item["message"],
                )
            )
        raised += self._backwards_alarms_vals(rows, backwards, notes)
        refused = {rows[item["index"]][0] for item in backwards + rejected}
        resolved += [
            ("counter_backwards", self.id, rows[item["index"]][0])
            for item in result["items"]
            if item["status"] != "rejected" and rows[item["index"]][0] not in refused
        ]
        return {
            "created": result["created"],
            "duplicates": result["duplicates"] + len(repeated),
            "rejected": rejected + backwards,
        }

    def _backwards_alarms_vals(self, rows, items, notes):
        """An alarm per counter that ingestion refused as going backwards,
        naming the last real value before it."""
        if not items:
            return []
        refused = [rows[item["index"]] for item in items]
        meters = self.env["meter.meter"].browse({row[0] for row in refused})
        last = self.env["meter.consumption"]._last_values(
            meters, before=min(row[2] for row in refused), real_only=True
        )
        alarms = []
        for meter_id, register, _read_at, value in refused:
            meter = meters.browse(meter_id)
            alarms.append(
                {
                    "kind": "counter_backwards",
                    "gateway_id": self.id,
                    "meter_id": meter_id,
                    "message": self.env._(
                        "Meter %(meter)s register %(register)s went backwards: "
                        "%(previous)s then %(value)s. The reading was refused.",
                        meter=meter.name,
                        register=register,
                        previous=last.get((meter_id, register), "?"),
                        value=value,
                    ),
                }
            )
            notes.append(alarms[-1]["message"])
        return alarms

    def _record_health(self, outcome, now):
        if outcome.reached:
            vals = {
                "state": "online",
                "last_contact": now,
                "consecutive_failures": 0,
                "last_error": False,
                "next_poll_at": now + timedelta(minutes=self.poll_interval),
            }
        else:
            failures = self.consecutive_failures + 1
            backoff = min(self.poll_interval * 2**failures, MAX_BACKOFF_MINUTES)
            silent_for = now - (self.last_contact or now)
            offline = failures >= self.offline_after or silent_for >= timedelta(
                minutes=self.poll_interval * self.offline_after
            )
            vals = {
                "consecutive_failures": failures,
                "last_error": str(outcome.error or ""),
                "next_poll_at": now + timedelta(minutes=max(backoff, 1)),
            }
            if offline:
                vals["state"] = "offline"
        vals["last_poll_at"] = now
        self.write(vals)

    def _prepare_poll_log_vals(self, outcome, now, stored, notes):
        errors = [
            f"{d.key}: {d.error.code}: {d.error}" for d in outcome.devices if d.error
        ]
        if outcome.error and not outcome.devices:
            errors.append(f"{outcome.error.code}: {outcome.error}")
        raw = "\n\n".join(
            "\n".join(
                part
                for part in (
                    d.relay and d.relay.raw,
                    d.result and d.result.raw,
                    d.error and d.error.raw,
                )
                if part
            )
            for d in outcome.devices
        )
        if not outcome.reached:
            state = "failed"
        elif errors or stored.get("rejected"):
            state = "partial"
        else:
            state = "ok"
        return {
            "gateway_id": self.id,
            "started_at": now,
            "duration": outcome.elapsed,
            "state": state,
            "device_count": len(outcome.devices),
            "reading_count": stored.get("created", 0),
            "duplicate_count": stored.get("duplicates", 0),
            "rejected_count": len(stored.get("rejected", [])),
            "message": "\n".join(errors + notes),
            "raw": raw,
        }


def _sort_refusals(items):
    """Ingestion's rejected items of a poll: ``(repeated, backwards, other)``.
    Another value at a stored slot is a repeated poll; a counter lower than
    the reading before it went backwards."""
    repeated, backwards, other = [], [], []
    for item in items:
        if item["code"] == codes.CONFLICTING_VALUE:
            repeated.append(item)
        elif item["code"] == codes.NEGATIVE_CONSUMPTION:
            backwards.append(item)
        else:
            other.append(item)
    return repeated, backwards, other


class _Spec(GatewaySpec):
    """GatewaySpec with a helper to keep a subset of devices."""

    def _replace_devices(self, devices):
        return _Spec(**{**self.__dict__, "devices": tuple(devices)})
