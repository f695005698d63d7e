# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from meterkit import as_decimal
from meterkit.usage_pricing import SessionUse, UsagePrice, price_sessions

from odoo import api, fields, models
from odoo.fields import Command

from .billing_usage import local_day_bounds, shown_time

USAGE_COMPONENTS = [
    ("usage_kwh", "Sessions: per kWh"),
    ("usage_hour", "Sessions: per hour"),
    ("usage_session", "Sessions: per session"),
]
SESSION_KINDS = [
    ("ev", "EV charging"),
    ("laundry", "Laundry"),
    ("ebike", "eBike charging"),
]


class MeterTariffComponent(models.Model):
    """Usage components: the stopped sessions (EV charging, laundry, eBike)
    of the billed occupant, priced per kWh, per hour or per session. The
    consumption and period evaluations ignore them (they take their own
    kinds only)."""

    _inherit = "meter.tariff.component"

    component_type = fields.Selection(
        selection_add=USAGE_COMPONENTS,
        ondelete={k: "cascade" for k, _l in USAGE_COMPONENTS},
    )
    session_kind = fields.Selection(
        SESSION_KINDS, default="ev", help="Usage components: the sessions priced."
    )


class MeterBillingLine(models.Model):
    _inherit = "meter.billing.line"

    component_type = fields.Selection(
        selection_add=USAGE_COMPONENTS,
        ondelete={k: "cascade" for k, _l in USAGE_COMPONENTS},
    )
    usage_link_ids = fields.One2many(
        "meter.usage.billing", "line_id", string="Sessions billed"
    )


class MeterUsageBilling(models.Model):
    """The link of a usage session to the billing line that bills it (the
    first of its components' lines). UNIQUE on the session: a session is
    billed at most once (a second claim fails in the database, whichever run
    makes it); deleting the line (a recomputed result) frees the session."""

    _name = "meter.usage.billing"
    _description = "Usage Session Billed"

    session_id = fields.Many2one(
        "meter.usage.session", required=True, ondelete="restrict", index=True
    )
    line_id = fields.Many2one(
        "meter.billing.line", required=True, ondelete="cascade", index=True
    )
    site_id = fields.Many2one(related="line_id.site_id", store=True)
    company_id = fields.Many2one(related="line_id.company_id", store=True)

    _session_uniq = models.Constraint(
        "UNIQUE(session_id)", "This usage session is already billed."
    )


class MeterUsageSession(models.Model):
    _inherit = "meter.usage.session"

    billing_link_ids = fields.One2many("meter.usage.billing", "session_id")
    billing_line_id = fields.Many2one(
        "meter.billing.line", compute="_compute_billing_line_id"
    )

    @api.depends("billing_link_ids.line_id")
    def _compute_billing_line_id(self):
        for session in self:
            session.billing_line_id = session.billing_link_ids[:1].line_id


class MeterBadge(models.Model):
    _inherit = "meter.badge"

    billing_point_id = fields.Many2one(
        "meter.billing.point",
        check_company=True,
        help="Bill the badge's sessions on this billing point (default: the "
        "points of the occupancy's unit whose tariff prices sessions).",
    )


class MeterBillingPoint(models.Model):
    _inherit = "meter.billing.point"

    def _prepare_billing_lines(
        self, date_from, date_to, series, run_days, cache, tariff=None
    ):
        vals_list = super()._prepare_billing_lines(
            date_from, date_to, series, run_days, cache, tariff=tariff
        )
        return vals_list + self._prepare_usage_lines(date_from, date_to, cache, tariff)

    def _prepare_usage_lines(self, date_from, date_to, cache, tariff=None):
        """Lines of the stopped, unbilled sessions of the period (by local
        stop day) that belong to this point: those of its occupants whose
        badge names no other point, and those whose badge names this one.
        Each is priced with the usage components of the tariff version in
        force on its stop day and billed to the occupant who badged; ``cache``
        keeps the sessions claimed in this computation (a unit with several
        points bills a session once)."""
        self.ensure_one()
        claimed = cache.setdefault("usage_sessions_claimed", set())
        segments = (
            [(tariff, date_from, date_to)]
            if tariff
            else self._tariff_segments(date_from, date_to)
        )
        priced_kinds = set()
        for seg_tariff, start, end in segments:
            priced_kinds.update(
                seg_tariff._versions_for(start, end)
                .component_ids.filtered(
                    lambda c: c.component_type in dict(USAGE_COMPONENTS)
                )
                .mapped("session_kind")
            )
        if not priced_kinds:
            return []
        occupancies = self.env["meter.occupancy"].concat(
            *(o for o, _s, _e in self._occupancy_segments(date_from, date_to))
        )
        lower, upper = local_day_bounds(date_from, date_to, self.site_id.tz)
        sessions = (
            self.env["meter.usage.session"]
            .search(
                self._usage_sessions_domain(lower, upper, priced_kinds, occupancies),
                order="stop_at, id",
            )
            .filtered(lambda s: s.id not in claimed and s.occupancy_id.partner_id)
        )
        sessions -= sessions._prepaid_sessions()
        groups = defaultdict(lambda: self.env["meter.usage.session"])
        for session in sessions:
            day = fields.Datetime.context_timestamp(
                session.with_context(tz=self.site_id.tz), session.stop_at
            ).date()
            for seg_tariff, start, end in segments:
                if start <= day <= end:
                    version = seg_tariff._versions_for(day, day)[-1:]
                    if version:
                        groups[session.occupancy_id, version] |= session
                    break
        quantum = as_decimal(self.currency_id.rounding)
        vals_list = []
        for (occupancy, version), group in groups.items():
            vals_list += self._usage_line_vals(
                occupancy, version, group, date_from, date_to, quantum
            )
            claimed.update(group.ids)
        return vals_list

    def _usage_sessions_domain(self, lower, upper, kinds, occupancies):
        """Stopped, unbilled sessions of ``kinds`` stopped in ``[lower,
        upper)`` (naive UTC) that belong to this point: those whose badge
        names it, and those of ``occupancies`` whose badge names no point."""
        self.ensure_one()
        return [
            ("state", "=", "stopped"),
            ("stop_at", ">=", lower),
            ("stop_at", "<", upper),
            ("billing_link_ids", "=", False),
            ("kind", "in", list(kinds)),
            "|",
            ("badge_id.billing_point_id", "=", self.id),
            "&",
            ("occupancy_id", "in", occupancies.ids),
            "|",
            ("badge_id", "=", False),
            ("badge_id.billing_point_id", "=", False),
        ]

    def _price_usage(self, version, sessions, quantum):
        """``[(component, meterkit UsageLine)]`` of ``sessions`` priced by
        the usage components of tariff ``version``."""
        components = version.component_ids.filtered(
            lambda c: c.component_type in dict(USAGE_COMPONENTS)
        )
        by_part = components.filtered(
            lambda c: c.component_type == "usage_kwh" and c.part != "both"
        )
        solar = (
            self._usage_solar_kwh(
                sessions.filtered(lambda s: s.kind in by_part.mapped("session_kind"))
            )
            if by_part
            else {}
        )
        uses = [
            SessionUse(
                s.id,
                s.kind,
                as_decimal(s.energy_kwh),
                as_decimal(s.duration_minutes),
                solar.get(s.id),
            )
            for s in sessions
        ]
        prices = [
            UsagePrice(
                c.id,
                c.component_type,
                c.session_kind,
                as_decimal(c.price),
                c.sequence,
                c.part if c.component_type == "usage_kwh" else "both",
            )
            for c in components
        ]
        return [
            (components.browse(line.price_key), line)
            for line in price_sessions(uses, prices, quantum)
        ]

    def _usage_line_vals(self, occupancy, version, sessions, start, end, quantum):
        vals_list = []
        tz = self.site_id.tz  # session times in the notes are the site's local time
        linked = set()
        for component, line in self._price_usage(version, sessions, quantum):
            line_sessions = sessions.browse(line.session_keys)
            # the first line of a session holds its (unique) billing link; the
            # session's other components name it in their notes
            to_link = [sid for sid in line.session_keys if sid not in linked]
            linked.update(to_link)
            vals_list.append(
                {
                    "partner_id": occupancy.partner_id.id,
                    "occupancy_id": occupancy.id,
                    "sequence": component.sequence,
                    "invoice_group": component.invoice_group or False,
                    "name": component.name,
                    "product_id": component.product_id.id,
                    "component_id": component.id,
                    "component_type": component.component_type,
                    "tariff_version_id": version.id,
                    "date_from": start,
                    "date_to": end,
                    "quantity": float(line.quantity),
                    "price_unit": float(line.price),
                    "amount": float(line.amount),
                    "amount_exact": float(line.amount_exact),
                    "readings_note": "\n".join(
                        self.env._(
                            "%(session)s: %(start)s - %(stop)s, %(kwh)s kWh",
                            session=s.display_name,
                            start=shown_time(s.start_at, tz),
                            stop=shown_time(s.stop_at, tz),
                            kwh=s.energy_kwh,
                        )
                        for s in line_sessions
                    ),
                    "is_estimated": False,
                    "usage_link_ids": [
                        Command.create({"session_id": sid}) for sid in to_link
                    ],
                }
            )
        return vals_list
