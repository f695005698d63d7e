# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .meter_alarm import ALARM_KINDS


class MeterAlarmRoute(models.Model):
    """Who hears of an alarm of a kind: the users of a role assigned to the
    alarm's site (managers: every site), by activity, e-mail and, when Odoo's
    SMS module is installed, SMS."""

    _name = "meter.alarm.route"
    _description = "Alarm Routing"
    _order = "kind, id"

    kind = fields.Selection(ALARM_KINDS, required=True)
    group_id = fields.Many2one("res.groups", string="Role", required=True)
    activity = fields.Boolean(default=True, help="Schedule a to-do for one user.")
    email = fields.Boolean(default=True, help="Notify the users by e-mail.")
    sms = fields.Boolean(
        string="SMS", help="Also by SMS (needs the SMS module and mobile numbers)."
    )
    active = fields.Boolean(default=True)
