# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from meterkit.portal import window_state

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal, pager

from ..models.meter_portal_access import _local_midnight_utc

LIVE_STATES = ("valid", "estimated")
CHART_MONTHS = 24
TILE_METER_FIELDS = [
    "unit_id",
    "status",
    "resource_id",
    "building_id",
    "site_id",
    "last_read_at",
]


class MeterPortal(CustomerPortal):
    """The resident's pages. Every route reads as the logged-in user (the
    portal record rules scope it to their occupancy periods) and checks the
    record before anything is done as superuser."""

    def _prepare_home_portal_values(self, counters):
        values = portal_counters(
            super()._prepare_home_portal_values(counters),
            counters,
            meter_count=("meter.meter", [("kind", "=", "individual")]),
            statement_count="meter.expense.statement",
        )
        if not counters:
            # The home page itself (not the counters call): a tile per resource.
            periods = request.env["meter.portal.access"]._portal_periods()
            if periods:
                today = fields.Date.context_today(request.env.user)
                tiles = {}
                for meter in self._current_meters(periods):
                    self._add_to_tile(tiles, meter, *self._meter_window(meter, today))
                values["meter_tiles"] = list(tiles.values())
        return values

    def _current_meters(self, periods, meters=None):
        """The user's individual meters of their current homes, in service."""
        now = fields.Datetime.now()
        current_units = {
            p.unit_id for p in periods if p.start <= now and (not p.end or now < p.end)
        }
        if meters is None:
            # One query for the ids and what the tiles read of the meters.
            meters = request.env["meter.meter"].search_fetch(
                [("kind", "=", "individual"), ("unit_id", "in", list(current_units))],
                TILE_METER_FIELDS,
                order="resource_id, name",
            )
        return meters.filtered(
            lambda m: m.unit_id.id in current_units and m.status != "archived"
        )

    def _meter_window(self, meter, today):
        """(rule as superuser, window state, start of the current window)."""
        # Read under the portal rules: the meter is the user's.
        rule_sudo = meter.effective_rule_id.sudo()
        window = window_state(
            today, rule_sudo.window_first_day, rule_sudo.window_last_day
        )
        opens = (
            _local_midnight_utc(window.opens_on, meter.site_id.tz)
            if window
            else datetime.combine(today.replace(day=1), datetime.min.time())
        )
        return rule_sudo, window, opens

    def _add_to_tile(self, tiles, meter, _rule_sudo, window, opens):
        tile = tiles.setdefault(
            meter.resource_id,
            {"resource": meter.resource_id, "window": window, "meters": 0, "done": 0},
        )
        tile["meters"] += 1
        tile["done"] += bool(meter.last_read_at and meter.last_read_at >= opens)

    # ------------------------------------------------------------
    # READINGS PAGE
    # ------------------------------------------------------------

    @http.route("/my/meters", type="http", auth="user", website=True)
    def portal_my_meters(self, tab="mine", **kw):
        return request.render(
            "meter_portal.portal_my_meters", self._meters_page_values(tab=tab)
        )

    def _meters_page_values(self, tab="mine", feedback=None):
        env = request.env
        values = self._prepare_portal_layout_values()
        periods = env["meter.portal.access"]._portal_periods()
        now = fields.Datetime.now()
        meters = env["meter.meter"].search(
            [("kind", "=", "individual")], order="resource_id, name"
        )
        current = self._current_meters(periods, meters)
        common = env["meter.meter"].search(
            [("kind", "in", ("common", "main"))], order="resource_id, name"
        )
        last = env["meter.consumption"]._last_readings(current)
        start_of = {p.unit_id: p.start for p in periods}
        cards, tiles = [], {}
        today = fields.Date.context_today(env.user)
        own = env["meter.reading"].search(
            [
                ("meter_id", "in", current.ids),
                ("author_id", "=", env.uid),
                ("source", "=", "resident"),
                ("state", "=", "valid"),
                ("read_at", ">=", now - timedelta(days=62)),
            ]
        )
        own_by_meter = defaultdict(list)
        for reading in own:
            own_by_meter[reading.meter_id.id].append(reading)
        nicknames = self._nicknames(meters | common)
        for meter in current:
            rule_sudo, window, opens = self._meter_window(meter, today)
            self._add_to_tile(tiles, meter, rule_sudo, window, opens)
            editable = window is None or window.is_open
            previous = []
            for register_no in range(1, (meter.register_count or 1) + 1):
                register = f"T{register_no}"
                found = last.get((meter.id, register))
                shown = found and found[0] >= start_of.get(meter.unit_id.id, now)
                previous.append((register, found if shown else None))
            own_now = [r for r in own_by_meter[meter.id] if r.read_at >= opens]
            cards.append(
                {
                    "meter": meter,
                    "nickname": nicknames.get(meter.id),
                    "rule": rule_sudo,
                    "window": window,
                    "open": editable,
                    "decimals": 0
                    if rule_sudo.integers_only
                    else meter.resource_id.decimals,
                    "previous": previous,
                    "own": own_now if editable else [],
                    "key": uuid.uuid4().hex,
                    "feedback": (feedback or {}).get(meter.id),
                }
            )
        values.update(
            page_name="meters",
            tab=tab,
            tiles=list(tiles.values()),
            cards=cards,
            history=meters - current,
            common=common,
            nicknames=nicknames,
            feedback=feedback or {},
        )
        return values

    def _nicknames(self, meters):
        records = request.env["meter.portal.nickname"].search(
            [("meter_id", "in", meters.ids), ("user_id", "=", request.env.uid)]
        )
        return {record.meter_id.id: record.name for record in records}

    @http.route(
        "/my/meters/submit", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_meter_submit(self, meter_id, key=None, confirm=None, photo=None, **kw):
        meter = request.env["meter.meter"].browse(int(meter_id))
        values = {
            name[len("value_") :]: text
            for name, text in kw.items()
            if name.startswith("value_")
        }
        content = photo.read() if photo and getattr(photo, "filename", "") else None
        try:
            result = meter._portal_submit(
                values,
                key,
                confirm=bool(confirm),
                photo=content,
                photo_name=content and photo.filename,
            )
        except (UserError, MissingError) as error:
            result = {"status": "refused", "message": str(error)}
        return self._after_submission(meter.id, result, values)

    @http.route(
        "/my/meters/reading/<int:reading_id>/edit",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_reading_edit(self, reading_id, value=None, confirm=None, **kw):
        reading = request.env["meter.reading"].browse(reading_id)
        try:
            meter_id = reading.meter_id.id
            result = reading._portal_edit(value, confirm=bool(confirm))
        except (UserError, MissingError) as error:
            return self._after_submission(
                None, {"status": "refused", "message": str(error)}, {}
            )
        values = {"edit": reading_id, reading.register: value}
        return self._after_submission(meter_id, result, values)

    def _after_submission(self, meter_id, result, values):
        if result["status"] in ("created", "duplicate"):
            return request.redirect(f"/my/meters?done={meter_id}#meter-{meter_id}")
        feedback = {"status": result["status"], "message": result["message"]}
        feedback["values"] = values
        page = self._meters_page_values(feedback={meter_id: feedback})
        if not any(card["feedback"] for card in page["cards"]):
            page["error"] = result["message"]
        return request.render("meter_portal.portal_my_meters", page)

    # ------------------------------------------------------------
    # HISTORY AND CHART
    # ------------------------------------------------------------

    def _meter_check(self, meter_id):
        """The meter as the user, after the portal rules allowed reading it."""
        return portal_record(
            "meter.meter", meter_id, request.env._("This meter does not exist.")
        )

    @http.route("/my/meters/<int:meter_id>", type="http", auth="user", website=True)
    def portal_meter_history(
        self, meter_id, date_from=None, date_to=None, page=1, **kw
    ):
        try:
            meter = self._meter_check(meter_id)
        except (AccessError, MissingError):
            return request.redirect("/my/meters")
        domain = [("meter_id", "=", meter.id), ("state", "in", LIVE_STATES)]
        start, end = _parse_date(date_from), _parse_date(date_to)
        if start:
            domain.append(("read_at", ">=", start))
        if end:
            domain.append(("read_at", "<", end + timedelta(days=1)))
        Reading = request.env["meter.reading"]
        total = Reading.search_count(domain)
        page_pager = pager(
            url=f"/my/meters/{meter.id}",
            url_args={"date_from": date_from or "", "date_to": date_to or ""},
            total=total,
            page=int(page),
            step=self._items_per_page,
        )
        readings = Reading.search(
            domain,
            order="read_at desc, id desc",
            limit=self._items_per_page,
            offset=page_pager["offset"],
        )
        months = defaultdict(list)
        for reading in readings:
            local = fields.Datetime.context_timestamp(reading, reading.read_at)
            months[local.strftime("%Y-%m")].append((local, reading))
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="meter_history",
            meter=meter,
            nickname=self._nicknames(meter).get(meter.id),
            months=sorted(months.items(), reverse=True),
            pager=page_pager,
            date_from=date_from or "",
            date_to=date_to or "",
            can_order=meter.verification_due in ("soon", "overdue")
            and meter.kind == "individual"
            and bool(meter._portal_period_now()),
        )
        return request.render("meter_portal.portal_meter_history", values)

    @http.route(
        "/my/meters/<int:meter_id>/chart", type="jsonrpc", auth="user", readonly=True
    )
    def portal_meter_chart(self, meter_id):
        """Monthly consumption of the meter inside the user's periods over the
        last 24 months, from meter.consumption (the one read path); a meter
        the user may not read gets ``{"error": ...}``."""
        try:
            meter = self._meter_check(meter_id)
        except (AccessError, MissingError):
            return {"error": request.env._("This meter is not one of yours.")}
        months = self._chart_months(meter)
        usages = request.env["meter.consumption"]._usage(
            meter, {meter.id: [span for _label, span in months]}
        )
        labels, data = [], []
        for label, span in months:
            usage = usages.get((meter.id, *span))
            total = usage and sum(
                (found.consumption for found in usage.by_register.values()), start=0
            )
            labels.append(label)
            data.append(float(total) if usage and usage.by_register else None)
        return {
            "labels": labels,
            "data": data,
            "unit": meter.resource_id.uom_id.name or "",
            "title": meter.resource_id.name,
        }

    def _chart_months(self, meter):
        """[(label, (start, end))] of the last months, each clipped to the
        user's periods of the meter's unit (or building for common meters)."""
        periods = [
            p
            for p in request.env["meter.portal.access"]._portal_periods()
            if p.unit_id == meter.unit_id.id
            or (not meter.unit_id and p.building_id == meter.building_id.id)
        ]
        tz = meter.site_id.tz
        now = fields.Datetime.now()
        first = fields.Date.context_today(meter).replace(day=1)
        months = []
        for back in range(CHART_MONTHS - 1, -1, -1):
            month = first - relativedelta(months=back)
            start = _local_midnight_utc(month, tz)
            end = min(_local_midnight_utc(month + relativedelta(months=1), tz), now)
            for period in periods:
                lo = max(start, period.start)
                hi = min(end, period.end or end)
                if lo < hi:
                    months.append((month.strftime("%Y-%m"), (lo, hi)))
                    break
        return months

    @http.route("/my/meters/information", type="http", auth="user", website=True)
    def portal_monthly_information(self, **kw):
        """Monthly consumption information (HeizKV §6a) of the user's
        occupancies, newest month first (record rules scope it)."""
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="meters",
            infos=request.env["meter.portal.monthly.info"].search([], limit=120),
        )
        return request.render("meter_portal.portal_monthly_information", values)

    # ------------------------------------------------------------
    # EXPENSE STATEMENTS
    # ------------------------------------------------------------

    @http.route("/my/statements", type="http", auth="user", website=True)
    def portal_my_statements(self, page=1, **kw):
        """Issued expense statements of the user's occupancies (the portal
        record rule scopes the search), newest period first."""
        Statement = request.env["meter.expense.statement"]
        total = Statement.search_count([])
        page_pager = pager(
            url="/my/statements",
            total=total,
            page=int(page),
            step=self._items_per_page,
        )
        statements = Statement.search(
            [],
            order="date_end desc, id desc",
            limit=self._items_per_page,
            offset=page_pager["offset"],
        )
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="statements",
            pager=page_pager,
            # Found as the user above: the records are theirs; the period and
            # unit names are read as superuser (no portal access to periods).
            statements_sudo=statements.sudo(),
        )
        return request.render("meter_portal.portal_my_statements", values)

    @http.route(
        "/my/statements/<int:statement_id>/pdf", type="http", auth="user", website=True
    )
    def portal_statement_pdf(self, statement_id, **kw):
        """The statement's PDF (meter_expenses' report), after the portal
        rules allowed the user to read it."""
        try:
            statement = portal_record(
                "meter.expense.statement",
                statement_id,
                request.env._("This statement does not exist."),
            )
        except (AccessError, MissingError):
            return request.redirect("/my/statements")
        report_sudo = request.env["ir.actions.report"].sudo()
        pdf, _type = report_sudo._render_qweb_pdf(
            "meter_expenses.action_report_expense_statement", statement.ids
        )
        return pdf_response(pdf, request.env._("Statement %s.pdf", statement.id))

    # ------------------------------------------------------------
    # NICKNAMES AND VERIFICATION
    # ------------------------------------------------------------

    @http.route(
        "/my/meters/<int:meter_id>/nickname",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_meter_nickname(self, meter_id, name="", **kw):
        try:
            meter = self._meter_check(meter_id)
        except (AccessError, MissingError):
            return request.redirect("/my/meters")
        Nickname = request.env["meter.portal.nickname"]
        record = Nickname.search(
            [("meter_id", "=", meter.id), ("user_id", "=", request.env.uid)]
        )
        name = (name or "").strip()[:60]
        if not name:
            record.unlink()
        elif record:
            record.name = name
        else:
            Nickname.create({"meter_id": meter.id, "name": name})
        return request.redirect(f"/my/meters/{meter.id}")

    @http.route(
        "/my/meters/<int:meter_id>/verification",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_meter_verification(self, meter_id, **kw):
        try:
            meter = self._meter_check(meter_id)
            meter._portal_order_verification()
        except (AccessError, MissingError):
            return request.redirect("/my/meters")
        return request.redirect(f"/my/meters/{meter.id}?ordered=1")

    # ------------------------------------------------------------
    # REGISTRATION
    # ------------------------------------------------------------

    @http.route(
        "/meter/register", type="http", auth="public", website=True, sitemap=False
    )
    def meter_register(self, code=None, password=None, password2=None, **kw):
        values = {"code": code or "", "error": None}
        if request.httprequest.method != "POST":
            return request.render("meter_portal.portal_register", values)
        Access = request.env["meter.portal.access"]
        user = request.env.user if not request.env.user._is_public() else None
        try:
            if password != password2 and not user:
                raise UserError(
                    request.env._(
                        "The two passwords differ: type the same password in both "
                        "fields."
                    )
                )
            # The code is the credential: the lookup checks it (unused, not
            # expired) before anything is done as superuser.
            access_sudo = Access._find_by_code(code)
            new_user = access_sudo._register_occupant(password, current_user=user)
        except UserError as error:
            values["error"] = str(error)
            return request.render("meter_portal.portal_register", values)
        if user:
            return request.redirect("/my/meters")
        return request.redirect(
            f"/web/login?login={new_user.login}&redirect=/my/meters"
        )


def portal_counters(values, counters, **models):
    """Add to the home page's ``values`` the asked ``counters`` among
    ``models`` (counter name: model name, or (model name, domain)): the
    records the user reads under the portal rules, 0 without read access to
    the model. Return ``values``."""
    for counter, model in models.items():
        if counter not in counters:
            continue
        name, domain = (model, []) if isinstance(model, str) else model
        Model = request.env[name]
        values[counter] = Model.search_count(domain) if Model.has_access("read") else 0
    return values


def portal_record(model, record_id, missing_message):
    """The record as the logged-in user, after the record rules allowed them
    to read it. :raise AccessError: not theirs; MissingError: deleted."""
    record = request.env[model].browse(record_id)
    record.check_access("read")
    if not record.exists():
        raise MissingError(missing_message)
    return record


def pdf_response(pdf, filename):
    """The HTTP response downloading ``pdf`` as ``filename``."""
    return request.make_response(
        pdf,
        headers=[
            ("Content-Type", "application/pdf"),
            ("Content-Length", len(pdf)),
            ("Content-Disposition", http.content_disposition(filename)),
        ],
    )


def _parse_date(text):
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
