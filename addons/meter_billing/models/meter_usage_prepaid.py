# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Usage sessions of a prepaid occupant: deducted from the balance, one
deduction per session, instead of invoiced."""

from odoo import fields, models

from .billing_usage import local_day_bounds
from .meter_usage_billing import USAGE_COMPONENTS


class MeterPrepaidMove(models.Model):
    _inherit = "meter.prepaid.move"

    usage_session_id = fields.Many2one(
        "meter.usage.session",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The usage session this move deducts.",
    )

    _one_deduction_per_session = models.UniqueIndex(
        "(usage_session_id) WHERE usage_session_id IS NOT NULL",
        "This usage session is already deducted from a prepaid balance.",
    )


class MeterUsageSession(models.Model):
    _inherit = "meter.usage.session"

    prepaid_move_ids = fields.One2many("meter.prepaid.move", "usage_session_id")

    def _prepaid_sessions(self):
        """The sessions of ``self`` that a prepaid balance pays: deducted
        already, or stopped on or after the first day of an open or closed
        prepaid account of their occupant on the billing point that bills
        them (the badge's point, else the points of the occupancy's unit)."""
        stopped = self.filtered("stop_at")
        accounts = self.env["meter.prepaid.account"].search(
            [
                ("state", "!=", "draft"),
                ("partner_id", "in", stopped.occupancy_id.partner_id.ids),
            ]
        )
        paid = self.filtered("prepaid_move_ids")
        for session in (stopped - paid) if accounts else ():
            if accounts._for_session(session):
                paid |= session
        return paid


class MeterPrepaidAccount(models.Model):
    _inherit = "meter.prepaid.account"

    def _for_session(self, session):
        """The account of ``self`` that pays ``session``, if any."""
        point = session.badge_id.billing_point_id
        for account in self:
            if account.partner_id != session.occupancy_id.partner_id:
                continue
            points = account._points()
            belongs = (
                point in points
                if point
                else session.occupancy_id.unit_id in points.unit_id
            )
            day = account._session_day(session)
            if belongs and account.date_start and day >= account.date_start:
                return account
        return self.browse()

    def _session_day(self, session):
        return fields.Datetime.context_timestamp(
            session.with_context(tz=self.site_id.tz), session.stop_at
        ).date()

    def _month_lines(self, date_from, date_to, series=None, cache=None):
        # the sessions are deducted one by one (_deduct_sessions), not with
        # the month to date
        return super(
            MeterPrepaidAccount, self.with_context(meter_usage_skip=True)
        )._month_lines(date_from, date_to, series, cache)

    def _deduct_until(self, until):
        moves = super()._deduct_until(until)
        return moves | self._deduct_sessions(until)

    def _deduct_sessions(self, until):
        """One posted ``usage`` move per stopped, undeducted session of these
        accounts stopped from their first day to ``until`` (local days), dated
        on the session's stop day, one line per usage component of the
        tariff version in force that day. The unique index on the session is
        the last guard against a second deduction."""
        vals_list = []
        for account in self.filtered(lambda a: a.state == "open" and a.date_start):
            for point in account._points():
                vals_list += account._prepare_session_deductions(point, until)
        return self.env["meter.prepaid.move"]._create_posted(vals_list)

    def _prepare_session_deductions(self, point, until):
        self.ensure_one()
        components = point.tariff_line_ids.tariff_id.version_ids.component_ids
        kinds = components.filtered(
            lambda c: c.component_type in dict(USAGE_COMPONENTS)
        ).mapped("session_kind")
        if not kinds:
            return []
        lower, upper = local_day_bounds(self.date_start, until, point.site_id.tz)
        occupancies = point.unit_id.occupancy_ids.filtered(
            lambda o: o.partner_id == self.partner_id
        )
        sessions = self.env["meter.usage.session"].search(
            [
                *point._usage_sessions_domain(lower, upper, kinds, occupancies),
                ("prepaid_move_ids", "=", False),
            ],
            order="stop_at, id",
        )
        quantum = self._quantum()
        vals_list = []
        for session in sessions:
            if self._for_session(session) != self:
                continue
            day = self._session_day(session)
            version = point._usage_version(day)
            lines = [
                {
                    "billing_point_id": point.id,
                    "component_id": component.id,
                    "tariff_version_id": version.id,
                    "band": False,
                    "product_id": component.product_id.id,
                    "name": self.env._(
                        "%(component)s: %(session)s",
                        component=component.name,
                        session=session.display_name,
                    ),
                    "quantity": float(line.quantity),
                    "amount": float(line.amount),
                    "amount_to_date": float(line.amount),
                }
                for component, line in point._price_usage(version, session, quantum)
                if line.amount
            ]
            if version and lines:
                vals_list.append(
                    {
                        "account_id": self.id,
                        "move_type": "usage",
                        "usage_session_id": session.id,
                        "date": day,
                        "period_from": day,
                        "period_to": day,
                        "line_ids": [fields.Command.create(v) for v in lines],
                    }
                )
        return vals_list


class MeterBillingPoint(models.Model):
    _inherit = "meter.billing.point"

    def _prepare_usage_lines(self, date_from, date_to, cache, tariff=None):
        if self.env.context.get("meter_usage_skip"):
            return []
        return super()._prepare_usage_lines(date_from, date_to, cache, tariff=tariff)

    def _usage_version(self, day):
        """The tariff version of this point in force on ``day``."""
        self.ensure_one()
        for tariff, _start, _end in self._tariff_segments(day, day):
            return tariff._versions_for(day, day)[-1:]
        return self.env["meter.tariff.version"]
