# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

ALARM_KINDS = [
    ("gateway_offline", "Gateway offline"),
    ("communication", "Communication error"),
    ("wiring_reverse", "Wiring: reverse energy flow"),
    ("wiring_voltage_loss", "Wiring: voltage loss"),
    ("counter_backwards", "Counter going backwards"),
    ("relay_mismatch", "Relay does not follow"),
    ("low_balance", "Low prepaid balance"),
    ("charge_point_offline", "Charge point offline"),
    ("session_unstopped", "Usage session without a stop"),
]
OPEN_STATES = ("open", "acknowledged")


class MeterAlarm(models.Model):
    """A condition that needs somebody: opened once per (kind, gateway,
    meter), counted while it lasts, closed when the condition recovers (a
    new one opens if it comes back). Routed by kind to roles; acknowledged by a
    user; the chatter keeps the history."""

    _name = "meter.alarm"
    _description = "Metering Alarm"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state_sequence, last_seen_at desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    kind = fields.Selection(ALARM_KINDS, required=True, index=True)
    state = fields.Selection(
        [("open", "Open"), ("acknowledged", "Acknowledged"), ("closed", "Closed")],
        default="open",
        required=True,
        tracking=True,
        index=True,
    )
    state_sequence = fields.Integer(compute="_compute_state_sequence", store=True)
    gateway_id = fields.Many2one("meter.gateway", ondelete="cascade", index=True)
    meter_id = fields.Many2one("meter.meter", ondelete="cascade", index=True)
    charge_point_id = fields.Many2one(
        "meter.charge.point", ondelete="cascade", index="btree_not_null"
    )
    site_id = fields.Many2one(
        "meter.site", compute="_compute_site_id", store=True, index=True
    )
    company_id = fields.Many2one(related="site_id.company_id", store=True)
    message = fields.Text()
    opened_at = fields.Datetime(required=True, default=fields.Datetime.now)
    last_seen_at = fields.Datetime(default=fields.Datetime.now)
    closed_at = fields.Datetime()
    occurrences = fields.Integer(default=1)
    acknowledged_by_id = fields.Many2one("res.users", readonly=True)
    acknowledged_at = fields.Datetime(readonly=True)

    _one_open = models.UniqueIndex(
        "(kind, COALESCE(gateway_id, 0), COALESCE(meter_id, 0), "
        "COALESCE(charge_point_id, 0)) WHERE state != 'closed'",
        "This alarm is already open.",
    )

    @api.depends("kind", "gateway_id", "meter_id", "charge_point_id")
    def _compute_name(self):
        kinds = dict(ALARM_KINDS)
        for alarm in self:
            subject = (
                alarm.meter_id.name
                or alarm.gateway_id.name
                or alarm.charge_point_id.name
                or ""
            )
            alarm.name = f"{kinds.get(alarm.kind, '')}: {subject}"

    @api.depends("state")
    def _compute_state_sequence(self):
        order = {"open": 0, "acknowledged": 1, "closed": 2}
        for alarm in self:
            alarm.state_sequence = order.get(alarm.state, 3)

    @api.depends("gateway_id.site_id", "meter_id.site_id", "charge_point_id.site_id")
    def _compute_site_id(self):
        for alarm in self:
            alarm.site_id = (
                alarm.meter_id.site_id
                or alarm.gateway_id.site_id
                or alarm.charge_point_id.site_id
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_acknowledge(self):
        self.filtered(lambda a: a.state == "open").write(
            {
                "state": "acknowledged",
                "acknowledged_by_id": self.env.uid,
                "acknowledged_at": fields.Datetime.now(),
            }
        )
        self.activity_ids.action_feedback(feedback=self.env._("Acknowledged"))
        return True

    def action_close(self):
        self._close(self.env._("Closed by %s.", self.env.user.name))
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _open_alarms(self, keys):
        """{(kind, gateway_id, meter_id[, charge_point_id]): alarm} of the open
        alarms of keys (a key without charge point is one of no charge point)."""
        keys = {_key(*key) for key in keys}
        if not keys:
            return {}
        # only the alarms of these gateways and meters (False: none), not
        # every open alarm of the kinds across the fleet
        alarms = self.search(
            [
                ("state", "in", OPEN_STATES),
                ("kind", "in", list({k[0] for k in keys})),
                ("gateway_id", "in", list({k[1] for k in keys})),
                ("meter_id", "in", list({k[2] for k in keys})),
                ("charge_point_id", "in", list({k[3] for k in keys})),
            ]
        )
        found = {
            (a.kind, a.gateway_id.id, a.meter_id.id, a.charge_point_id.id): a
            for a in alarms
        }
        return {key: found[key] for key in keys if key in found}

    @api.model
    def _raise(self, vals_list):
        """Open the alarms described (``kind``, ``gateway_id``, ``meter_id``,
        ``charge_point_id``, ``message``) unless already open; then they are
        counted and updated.

        The entry point for other addons too (e.g. prepaid billing raising
        ``low_balance`` on a meter and resolving it with :meth:`_resolve`)."""
        if not vals_list:
            return self.browse()
        now = fields.Datetime.now()
        unique = {}
        for vals in vals_list:
            key = _key(
                vals["kind"],
                vals.get("gateway_id"),
                vals.get("meter_id"),
                vals.get("charge_point_id"),
            )
            unique[key] = vals
        existing = self._open_alarms(unique)
        for key, alarm in existing.items():
            alarm.write(
                {
                    "occurrences": alarm.occurrences + 1,
                    "last_seen_at": now,
                    "message": unique[key].get("message") or alarm.message,
                }
            )
        new = [
            {**vals, "opened_at": now, "last_seen_at": now}
            for key, vals in unique.items()
            if key not in existing
        ]
        alarms = self.create(new)
        alarms._notify_route()
        return alarms

    @api.model
    def _resolve(self, keys):
        """Close the open alarms of ``keys`` ``(kind, gateway_id, meter_id[,
        charge_point_id])``."""
        alarms = self.browse()
        for alarm in self._open_alarms(keys).values():
            alarms |= alarm
        alarms._close(self.env._("The condition recovered."))
        return alarms

    def _close(self, note):
        to_close = self.filtered(lambda a: a.state != "closed")
        if not to_close:
            return
        to_close.write({"state": "closed", "closed_at": fields.Datetime.now()})
        for alarm in to_close:
            alarm.message_post(body=note)
        to_close.activity_ids.action_feedback(feedback=note)

    def _recipients(self, route):
        """Active internal users of the route's role who see the alarm's site."""
        users = route.group_id.all_user_ids.filtered(lambda u: u.active and not u.share)
        manager = self.env.ref("meter_base.meter_base_group_manager")
        assigned = users.filtered(lambda u: self.site_id in u.meter_site_ids)
        # staff assigned to the site first: the to-do goes to one of them
        return assigned | users.filtered(lambda u: manager in u.all_group_ids)

    def _notify_route(self):
        """Activity and e-mail (and SMS when available) per route of the kind."""
        routes = self.env["meter.alarm.route"].search(
            [("kind", "in", self.mapped("kind"))]
        )
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        for alarm in self:
            for route in routes.filtered(lambda r, a=alarm: r.kind == a.kind):
                users = alarm._recipients(route)
                if not users:
                    continue
                if route.activity and todo:
                    alarm.activity_schedule(
                        activity_type_id=todo.id,
                        summary=alarm.name,
                        note=alarm.message,
                        user_id=users[0].id,
                    )
                if route.email:
                    alarm.message_post(
                        body=alarm.message or alarm.name,
                        subject=alarm.name,
                        partner_ids=users.partner_id.ids,
                        message_type="notification",
                        subtype_xmlid="mail.mt_comment",
                    )
                if route.sms and hasattr(alarm, "_message_sms"):
                    alarm._message_sms(
                        alarm.message or alarm.name, partner_ids=users.partner_id.ids
                    )


def _key(kind, gateway_id=False, meter_id=False, charge_point_id=False):
    return (kind, gateway_id or False, meter_id or False, charge_point_id or False)
