# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from meterkit import as_decimal
from meterkit.allocation import (
    apportion_common,
    apportion_residual,
    main_meter_residual,
    round_money,
)
from meterkit.errors import MeterkitError
from meterkit.series import CLOSING, OPENING
from meterkit.tariffs import CONSUMPTION_KINDS

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command, Domain
from odoo.tools import SQL

from .billing_usage import UsageError, local_day_bounds, shown_quantity
from .meter_billing_result import FREE_STATES

BATCH_SIZE = 200
#: partners invoiced per batch (one account.move.create each)
INVOICE_BATCH_SIZE = 500
ACTIVE_STATES = ("computing", "invoicing", "posting")
#: what a run bills: set in draft, fixed once the run is computed
SCOPE_FIELDS = {
    "company_id",
    "kind",
    "date_from",
    "date_to",
    "site_ids",
    "billing_point_ids",
    "common_method",
    "common_price",
    "residual_method",
}


class MeterBillingRun(models.Model):
    """A billing run over a scope (sites or billing points) and a period.

    draft -> computing -> computed -> invoicing -> invoiced -> posting -> posted.
    The computing, invoicing and posting steps work in batches from a cron
    (``_cron_process``) that commits after each batch with ``_commit_progress``;
    a crashed or timed-out cron resumes where the last commit left off:

    - computing walks the scope by billing point id (``cursor_point_id`` is
      written in the same transaction as the batch's results);
    - invoicing takes the partners whose lines have no invoice yet and creates
      one invoice per partner, in the same transaction as the link from the
      lines to it;
    - posting posts the run's draft invoices.

    A billing point is billed at most once per period: a ``meter.billing.result``
    holds the (billing point, period) slot under a unique index, and the
    computation starts after the last day already billed.
    """

    _name = "meter.billing.run"
    _description = "Billing Run"
    _inherit = ["mail.thread"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        required=True, default=lambda self: self.env._("New"), copy=False
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection(
        [
            ("consumption", "Consumption"),
            ("advance", "Advance payments"),
        ],
        required=True,
        default="consumption",
    )
    is_correction = fields.Boolean(readonly=True, copy=False)
    date_from = fields.Date(required=True, tracking=True)
    date_to = fields.Date(required=True, tracking=True)
    site_ids = fields.Many2many("meter.site", string="Sites", check_company=True)
    billing_point_ids = fields.Many2many(
        "meter.billing.point", string="Billing points", check_company=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("computing", "Computing"),
            ("computed", "Computed"),
            ("invoicing", "Invoicing"),
            ("invoiced", "Invoiced"),
            ("posting", "Posting"),
            ("posted", "Posted"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    invoice_date = fields.Date(help="Empty: the day the invoices are posted.")
    journal_id = fields.Many2one(
        "account.journal",
        domain="[('type', '=', 'sale')]",
        check_company=True,
        help="Empty: the company's default sales journal.",
    )
    cash_rounding_id = fields.Many2one(
        "account.cash.rounding",
        compute="_compute_cash_rounding_id",
        store=True,
        readonly=False,
        precompute=True,
        help="E.g. the Swiss 0.05 rounding of the invoice total.",
    )
    common_method = fields.Selection(
        [
            ("none", "No apportionment"),
            ("equal", "Equally"),
            ("area", "By floor area"),
            ("usage", "By consumption"),
        ],
        string="Common areas",
        default="none",
        required=True,
        help="Share the consumption of the common meters (lifts, pumps, corridors) "
        "of each building among its billing points, as invoice lines.",
    )
    common_price = fields.Float(
        digits=(16, 6), help="Price per unit of common consumption (kWh, m3)."
    )
    residual_method = fields.Selection(
        [
            ("none", "Note only"),
            ("area", "Bill by floor area"),
        ],
        string="Common-house needs",
        default="none",
        required=True,
        help="Common-house needs (RU ОДН): the consumption of each main meter "
        "minus the sum of its sub-meters, billed to the units of the building in "
        "proportion to their area at the common-area price (credited when "
        "negative).",
    )
    residual_note = fields.Text(
        string="Main meter residuals",
        readonly=True,
        copy=False,
        help="Per building: main meter, sum of its sub-meters and the residual "
        "(losses, unmetered use).",
    )
    cursor_point_id = fields.Integer(readonly=True, copy=False)
    result_ids = fields.One2many("meter.billing.result", "run_id", readonly=True)
    line_ids = fields.One2many("meter.billing.line", "run_id", readonly=True)
    move_ids = fields.One2many("account.move", "meter_billing_run_id", readonly=True)
    point_count = fields.Integer(compute="_compute_counts")
    result_count = fields.Integer(compute="_compute_counts")
    blocked_count = fields.Integer(compute="_compute_counts")
    move_count = fields.Integer(compute="_compute_counts")
    progress = fields.Float(compute="_compute_counts", help="Percent done.")

    _dates_ordered = models.Constraint(
        "CHECK (date_to >= date_from)", "A run cannot end before it starts."
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("company_id")
    def _compute_cash_rounding_id(self):
        for run in self:
            run.cash_rounding_id = run.company_id.meter_cash_rounding_id

    def _compute_counts(self):
        """Counts and progress of the runs: a few grouped queries for the whole
        list, not one pass over each run's results, lines and invoices."""
        runs = self.filtered("id")
        results, blocked = defaultdict(int), defaultdict(int)
        for run, state, count in self.env["meter.billing.result"]._read_group(
            [("run_id", "in", runs.ids)], ["run_id", "state"], ["__count"]
        ):
            results[run] += count
            blocked[run] += count if state in ("blocked", "deferred") else 0
        moves, posted = defaultdict(int), defaultdict(int)
        for run, state, count in self.env["account.move"]._read_group(
            [("meter_billing_run_id", "in", runs.ids)],
            ["meter_billing_run_id", "state"],
            ["__count"],
        ):
            moves[run] += count
            posted[run] += count if state == "posted" else 0
        invoicing = runs.filtered(lambda r: r.state == "invoicing")
        lines = {
            run: (total, linked)
            for run, total, linked in self.env["meter.billing.line"]._read_group(
                [
                    ("run_id", "in", invoicing.ids),
                    ("result_id.state", "in", ("ok", "released")),
                ],
                ["run_id"],
                ["__count", "move_id:count"],
            )
        }
        for run in self:
            run.point_count = self.env["meter.billing.point"].search_count(
                run._scope_points_domain()
            )
            run.result_count = results[run]
            run.blocked_count = blocked[run]
            run.move_count = moves[run]
            run.progress = run._progress(lines.get(run, (0, 0)), posted[run])

    def _progress(self, lines, posted):
        """Percent done of the current step; ``lines`` is ``(billable lines,
        lines invoiced)``."""
        self.ensure_one()
        if self.state in ("computed", "invoiced", "posted"):
            return 100.0
        if self.state == "computing":
            done = self.env["meter.billing.point"].search_count(
                self._scope_points_domain() + [("id", "<=", self.cursor_point_id)]
            )
            return 100.0 * done / (self.point_count or 1)
        if self.state == "invoicing":
            return 100.0 * lines[1] / (lines[0] or 1)
        if self.state == "posting":
            return 100.0 * posted / (self.move_count or 1)
        return 0.0

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "meter.billing.run"
                ) or self.env._("New")
        return super().create(vals_list)

    def write(self, vals):
        # The cron computes the scope as superuser: once checked by
        # action_compute, it must not change (a billing officer could otherwise
        # add another site's points to a computing run).
        if SCOPE_FIELDS & vals.keys() and self.filtered(lambda r: r.state != "draft"):
            raise UserError(
                self.env._(
                    "The scope, period and common-area settings of a billing run "
                    "are fixed once it is computed: cancel it and reset it to "
                    "draft to change them."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        if self.filtered(lambda r: r.state not in ("draft", "cancelled")):
            raise UserError(
                self.env._(
                    "Only draft or cancelled billing runs can be deleted: cancel "
                    "the run first (a run with invoices: correct them with credit "
                    "notes)."
                )
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def _check_billing_access(self, lock=True):
        """Billing officers bill only their sites (record rules on the run's
        scope); readers never bill. A button never races the cron: it holds
        the runs for its transaction, or says that one is being processed
        (``lock=False``: the caller takes the lock itself)."""
        if not self.env.user.has_group("meter_base.meter_base_group_billing"):
            raise AccessError(
                self.env._(
                    "Only billing officers and managers can run billing: ask a "
                    "metering manager for the billing role."
                )
            )
        self.check_access("write")
        for run in self:
            run.site_ids.check_access("read")
            run.billing_point_ids.check_access("read")
        for run in self if lock else ():
            run._lock_for_processing()

    def action_compute(self):
        """Start the computation; the cron does it in batches."""
        self._check_billing_access()
        for run in self:
            if run.state != "draft":
                raise UserError(
                    self.env._(
                        "Only a draft run can be computed: cancel it and reset it to "
                        "draft first."
                    )
                )
            if not run.site_ids and not run.billing_point_ids:
                raise UserError(
                    self.env._("Choose the sites or billing points to bill.")
                )
        self.write({"state": "computing", "cursor_point_id": 0})
        self._trigger_cron()
        return True

    def action_invoice(self):
        """Create the draft invoices (one per partner) of the ready results."""
        self._check_billing_access()
        if self.filtered(lambda r: r.state != "computed"):
            raise UserError(
                self.env._("Only a computed run can be invoiced: compute it first.")
            )
        self.write({"state": "invoicing"})
        self._trigger_cron()
        return True

    def action_post(self):
        self._check_billing_access()
        if self.filtered(lambda r: r.state != "invoiced"):
            raise UserError(
                self.env._(
                    "Only an invoiced run can be posted: create its invoices first."
                )
            )
        self.write({"state": "posting"})
        self._trigger_cron()
        return True

    def action_process_now(self):
        """Run the pending steps now, in this request (small runs)."""
        self._check_billing_access()
        self._process(commit=False)
        return True

    def action_process_batch(self):
        """Advance the run by one batch in this request and return where it
        stands: the form calls it after Compute, Create invoices and Post
        invoices, batch after batch, until the step is done, and shows the
        progress (one click per step; the cron, woken by the same click, does the
        work if the form is closed). A batch held by the cron is left to it.

        :return: ``{"state": ..., "progress": percent}``
        """
        self.ensure_one()
        self._check_billing_access(lock=False)
        if self.state in ACTIVE_STATES and self._lock_for_processing(busy_error=False):
            self._process_step()
        self.invalidate_recordset(["progress"])
        return {"state": self.state, "progress": self.progress}

    def action_cancel(self):
        """Cancel a run that has no invoice: its results free their periods."""
        self._check_billing_access()
        if self.move_ids:
            raise UserError(
                self.env._(
                    "This run has invoices: correct them with a credit note and "
                    "rebill instead."
                )
            )
        self.result_ids.unlink()
        self.write({"state": "cancelled"})
        return True

    def action_reset_draft(self):
        self._check_billing_access()
        if self.filtered(lambda r: r.state != "cancelled"):
            raise UserError(
                self.env._("Only a cancelled run can be reset: cancel it first.")
            )
        self.write({"state": "draft", "cursor_point_id": 0})
        return True

    def action_open_moves(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            # the customer invoice list (customer, dates, totals, status)
            "views": [
                (self.env.ref("account.view_out_invoice_tree").id, "list"),
                (False, "form"),
            ],
            "domain": [("meter_billing_run_id", "=", self.id)],
            "context": {"default_move_type": "out_invoice"},
        }

    def action_open_results(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Billing results"),
            "res_model": "meter.billing.result",
            "view_mode": "list,form",
            "domain": [("run_id", "=", self.id)],
        }

    # ------------------------------------------------------------
    # CRON AND BATCHES
    # ------------------------------------------------------------

    def _trigger_cron(self):
        cron = self.env.ref("meter_billing.ir_cron_meter_billing_run", False)
        if cron:
            cron.sudo()._trigger()

    @api.model
    def _cron_process(self):
        """Process every active run in batches, committing after each one."""
        runs = self.search([("state", "in", ACTIVE_STATES)], order="id")
        runs._process()

    def _process(self, commit=True):
        """Advance the active steps of the runs batch after batch until done or
        out of time (``_commit_progress`` returns 0). ``commit=False`` runs
        everything in the current transaction (a click on a small run)."""
        cron = self.env["ir.cron"]
        for run in self:
            while run.state in ACTIVE_STATES:
                # another cron worker holds the run: leave it to that one
                if not run._lock_for_processing(busy_error=not commit):
                    break
                done, remaining = run._process_step()
                if commit and not cron._commit_progress(done, remaining=remaining):
                    return False
        return True

    def _process_step(self):
        """Run the next batch; after the last one, reach the step's final state
        in the same transaction (running out of time must not leave the run in
        its step until the next cron call). Return (done, remaining)."""
        done, remaining = self._process_batch()
        if not remaining and self.state in ACTIVE_STATES:
            self._process_batch()
        return done, remaining

    def _process_batch(self):
        """Run the next batch of the active step; return (done, remaining)."""
        self.ensure_one()
        return {
            "computing": self._compute_batch,
            "invoicing": self._invoice_batch,
            "posting": self._post_batch,
        }[self.state]()

    def _lock_for_processing(self, busy_error=True):
        """Hold this run's row until the end of the transaction, so that one
        process at a time (a cron worker or a button) works on it.

        :return: whether the run is held; False when another transaction holds it
        :raise UserError: naming the run when another transaction holds it and
            ``busy_error`` is set (never a LockError)
        """
        self.ensure_one()
        if self.try_lock_for_update(allow_referencing=True):
            return True
        if busy_error:
            raise UserError(
                self.env._(
                    "Run %s is being processed: try again when the current "
                    "batch is done.",
                    self.display_name,
                )
            )
        return False

    def _scope_points_domain(self):
        self.ensure_one()
        scope = Domain.FALSE
        if self.site_ids:
            scope |= Domain("site_id", "in", self.site_ids.ids)
        if self.billing_point_ids:
            scope |= Domain("id", "in", self.billing_point_ids.ids)
        return list(scope & Domain("company_id", "=", self.company_id.id))

    def _compute_batch(self):
        """Compute the next batch of billing points; return (done, remaining)."""
        self.ensure_one()
        Point = self.env["meter.billing.point"]
        domain = self._scope_points_domain()
        points = Point.search(
            domain + [("id", ">", self.cursor_point_id)], order="id", limit=BATCH_SIZE
        )
        if not points:
            self._apportion_common()
            self.state = "computed"
            return 0, 0
        # Serialize runs billing the same points: a concurrent run waits here, then
        # sees the results committed by this one.
        points.lock_for_update(allow_referencing=True)
        self._create_results(points)
        self.cursor_point_id = points[-1].id
        remaining = Point.search_count(domain + [("id", ">", points[-1].id)])
        self._release_cache()
        return len(points), remaining

    def _release_cache(self):
        """Flush and forget this batch's records: later batches must not drag
        them through the cache (each new record marks its inverse fields)."""
        self.env.flush_all()
        self.env.invalidate_all()

    def _apportion_common(self):
        """Common-area lines and main meter residuals of the run's buildings,
        in the transaction that closes the computation."""
        results = self.result_ids.filtered(lambda r: r.kind == "consumption")
        buildings = results.billing_point_id.building_id
        if not buildings:
            return
        meters = self.env["meter.meter"].search(
            [("building_id", "in", buildings.ids), ("kind", "in", ("common", "main"))]
        )
        subs = self.env["meter.meter"].search([("parent_id", "in", meters.ids)])
        # each building on its own site's local days
        bounds = {
            building: local_day_bounds(
                self.date_from, self.date_to, building.site_id.tz
            )
            for building in buildings
        }
        ranges = {sub: bounds[sub.parent_id.building_id] for sub in subs}
        ranges.update({meter: bounds[meter.building_id] for meter in meters})
        series = self.env["meter.billing.point"]._fetch_series(ranges)
        notes, vals_list = [], []
        for building in buildings:
            in_building = results.filtered(
                lambda r, b=building: r.billing_point_id.building_id == b
            )
            building_meters = meters.filtered(lambda m, b=building: m.building_id == b)
            mains = building_meters.filtered(lambda m: m.kind == "main")
            notes += self._main_residual_notes(mains, subs, series, bounds[building])
            if mains and self.residual_method == "area":
                try:
                    vals_list += self._prepare_residual_lines(
                        building, in_building, mains, subs, series, bounds[building]
                    )
                except (UsageError, MeterkitError) as error:
                    notes.append(
                        self.env._(
                            "%(building)s: main meter residual not billed: %(problem)s",
                            building=building.display_name,
                            problem=str(error),
                        )
                    )
            common = building_meters.filtered(lambda m: m.kind == "common")
            if common and self.common_method != "none":
                try:
                    vals_list += self._prepare_common_lines(
                        in_building, common, series, bounds[building]
                    )
                except (UsageError, MeterkitError) as error:
                    notes.append(
                        self.env._(
                            "%(building)s: common areas not apportioned: %(problem)s",
                            building=building.display_name,
                            problem=str(error),
                        )
                    )
        self.env["meter.billing.line"].create(vals_list)
        self.residual_note = "\n".join(notes) or False

    def _meters_consumption(self, meters, series, bounds):
        """Total consumption of ``meters`` between the UTC bounds, valued by
        meter_base's consumption API from the prefetched ``series``."""
        Consumption = self.env["meter.consumption"]
        usages = Consumption._usage(meters, [bounds], prefetched=series)
        total = Decimal(0)
        for meter in meters:
            usage = usages.get((meter.id, *bounds))
            if usage is None or None in usage.errors:
                raise UsageError(
                    self.env._("%(meter)s has no reading.", meter=meter.display_name)
                )
            for register, error in sorted(usage.errors.items()):
                raise UsageError(Consumption._usage_error(meter, register, error))
            total += usage.consumption
        return total

    def _main_residual_notes(self, mains, subs, series, bounds):
        notes = []
        for main in mains:
            children = subs.filtered(lambda m, p=main: m.parent_id == p)
            try:
                total = self._meters_consumption(main, series, bounds)
                sub_sum = self._meters_consumption(children, series, bounds)
            except UsageError as error:
                notes.append(str(error))
                continue
            notes.append(
                self.env._(
                    "%(meter)s: main %(main)s, sub-meters %(subs)s, residual "
                    "%(residual)s",
                    meter=main.display_name,
                    main=total,
                    subs=sub_sum,
                    residual=main_meter_residual(total, sub_sum),
                )
            )
        return notes

    def _prepare_residual_lines(self, building, results, mains, subs, series, bounds):
        """Common-house needs (RULES.md 3.4): per main meter, the residual
        (main minus its sub-meters, metered or estimated) shared among all the
        units of ``building`` by area (largest remainder, quantities and amounts
        both sum exactly); one line on the result of each unit billed here."""
        product = self.company_id.meter_common_product_id
        if not product:
            raise UsageError(self.env._("Set the common-area product in the settings."))
        units = self.env["meter.unit"].search(
            [("building_id", "=", building.id)], order="name, id"
        )
        areas = {
            unit: as_decimal(unit._get_basis("area", self.date_from)) for unit in units
        }
        price = as_decimal(self.common_price)
        quantum = as_decimal(self.currency_id.rounding)
        by_unit = {}
        for result in results:
            by_unit.setdefault(result.unit_id, result)
        vals_list = []
        for main in mains:
            children = subs.filtered(lambda m, p=main: m.parent_id == p)
            residual, shares = apportion_residual(
                self._meters_consumption(main, series, bounds),
                self._meters_consumption(children, series, bounds),
                areas,
                price,
                quantum,
            )
            total_area = sum(areas.values())
            for unit, result in by_unit.items():
                quantity, amount = shares[unit]
                vals_list.append(
                    self._common_line_vals(
                        result,
                        product,
                        sequence=1001,
                        name=self.env._(
                            "Common-house needs (%(meter)s)", meter=main.name
                        ),
                        quantity=float(quantity),
                        amount=float(amount),
                        readings_note=self.env._(
                            "Main meter %(meter)s residual %(residual)s (main minus "
                            "its sub-meters); area %(mine)s of %(all)s m2",
                            meter=main.name,
                            residual=residual,
                            mine=areas[unit],
                            all=total_area,
                        ),
                    )
                )
        return vals_list

    def _common_line_vals(self, result, product, **vals):
        """Values of a common-area line of ``result`` (``vals``: sequence,
        name, quantity, amount, readings_note), billed to the occupant on the
        last day of its period."""
        occupancy = result.billing_point_id._occupancy_segments(
            result.date_to, result.date_to, required=True
        )[0][0]
        return {
            "result_id": result.id,
            "partner_id": occupancy.partner_id.id,
            "occupancy_id": occupancy.id,
            "product_id": product.id,
            "component_type": "common",
            # under their own section of the invoice, in the occupant's language
            "invoice_group": self.with_context(
                lang=occupancy.partner_id.lang or self.env.lang
            ).env._("Common areas"),
            "date_from": result.date_from,
            "date_to": result.date_to,
            "days": (result.date_to - result.date_from).days + 1,
            "period_days": (self.date_to - self.date_from).days + 1,
            "price_unit": self.common_price,
            **vals,
        }

    def _prepare_common_lines(self, results, common, series, bounds):
        """One line per result: its share of the common consumption, priced at
        ``common_price``; quantities and amounts both sum exactly (meterkit
        largest remainder)."""
        product = self.company_id.meter_common_product_id
        if not product:
            raise UsageError(self.env._("Set the common-area product in the settings."))
        quantity = self._meters_consumption(common, series, bounds)
        method = self.common_method
        keys = {}
        for result in results:
            if method == "area":
                area = result.unit_id._get_basis("area", self.date_from)
                keys[result] = as_decimal(area)
            elif method == "usage":
                used = result.line_ids.filtered(
                    lambda line: line.component_type in CONSUMPTION_KINDS
                )
                keys[result] = used._quantity_total()
            else:
                keys[result] = Decimal(1)
        price = as_decimal(self.common_price)
        quantum = as_decimal(self.currency_id.rounding)
        amounts = apportion_common(
            round_money(quantity * price, quantum), keys, method, quantum
        )
        quantities = apportion_common(quantity, keys, method, Decimal("0.001"))
        labels = dict(self._fields["common_method"]._description_selection(self.env))
        decimals = max(common.resource_id.mapped("decimals") or [3])
        vals_list = []
        for result in results:
            vals_list.append(
                self._common_line_vals(
                    result,
                    product,
                    sequence=1000,
                    name=self.env._("Common areas (%(key)s)", key=labels[method]),
                    quantity=float(quantities[result]),
                    amount=float(amounts[result]),
                    readings_note=self.env._(
                        "Common meters %(meters)s: %(total)s in total; key %(key)s: "
                        "%(mine)s of %(all)s",
                        meters=", ".join(common.mapped("name")),
                        total=shown_quantity(quantity, decimals),
                        key=labels[method],
                        mine=keys[result],
                        all=sum(keys.values()),
                    ),
                )
            )
        return vals_list

    def _billing_starts(self, points):
        """``{point: first day to bill}``: the day after the last day already
        billed in the run's period (None when the period is fully billed)."""
        starts = dict.fromkeys(points, self.date_from)
        billed = self.env["meter.billing.result"]._read_group(
            [
                ("billing_point_id", "in", points.ids),
                ("state", "not in", FREE_STATES),
                ("kind", "=", self.kind),
                ("date_from", "<=", self.date_to),
                ("date_to", ">=", self.date_from),
            ],
            ["billing_point_id"],
            ["date_to:max"],
        )
        for point, last in billed:
            start = last + timedelta(days=1)
            starts[point] = start if start <= self.date_to else None
        return starts

    def _create_results(self, points):
        starts = self._billing_starts(points)
        todo = points.filtered(lambda p: starts[p])
        if self.kind == "advance":
            vals_list = [self._prepare_advance_result(p, starts[p]) for p in todo]
        else:
            vals_list = self._prepare_consumption_results(todo, starts)
        self.env["meter.billing.result"].create(vals_list)

    def _prepare_consumption_results(self, points, starts):
        ranges = {}
        for point in points:
            bounds = local_day_bounds(starts[point], self.date_to, point.site_id.tz)
            for meter in point.meter_ids:
                ranges[meter] = bounds
        series = self.env["meter.billing.point"]._fetch_series(ranges)
        run_days = (self.date_to - self.date_from).days + 1
        cache = {"carried": self._carry_estimates(points, starts, series)}
        points._prefetch_intervals(starts, self.date_to, cache)
        vals_list = []
        for point in points:
            vals = {
                "run_id": self.id,
                "billing_point_id": point.id,
                "date_from": starts[point],
                "date_to": self.date_to,
            }
            try:
                lines = point._prepare_billing_lines(
                    starts[point], self.date_to, series, run_days, cache
                )
            except UsageError as error:
                vals.update(state="blocked", block_reason=str(error))
            else:
                vals["line_ids"] = [Command.create(line) for line in lines]
                vals["estimated_end_values"] = self._estimated_end_values(point, series)
                if any(line["is_estimated"] for line in lines):
                    vals.update(
                        state="blocked",
                        block_reason=self.env._(
                            "Estimated readings are used: check them, then release."
                        ),
                    )
            vals_list.append(vals)
        return vals_list

    def _carry_estimates(self, points, starts, series):
        """Start each point's period where its previous period stopped billing
        on estimates (RU п. 61, RULES.md 3.2): the counter values billed at the
        start, ``{(meter_id, start): {register: Decimal}}`` for
        ``meter.consumption._usage``, which adds the difference to the real
        value there, so that the periods together bill the real consumption."""
        previous = self.env["meter.billing.result"].search(
            [
                ("billing_point_id", "in", points.ids),
                ("kind", "=", "consumption"),
                ("state", "not in", FREE_STATES),
                (
                    "date_to",
                    "in",
                    list({starts[p] - timedelta(days=1) for p in points}),
                ),
            ]
        )
        carried = defaultdict(dict)
        for result in previous:
            point = result.billing_point_id
            if result.date_to != starts[point] - timedelta(days=1):
                continue
            start = local_day_bounds(starts[point], self.date_to, point.site_id.tz)[0]
            for key, value in (result.estimated_end_values or {}).items():
                meter_id, register = key.split(":", 1)
                if register in getattr(series.get(int(meter_id)), "chains", ()):
                    carried[int(meter_id), start][register] = Decimal(value)
        return dict(carried)

    def _estimated_end_values(self, point, series):
        """``{"meter id:register": value}`` of the counters at the end of the
        period that stand on estimated readings (False when none)."""
        end = local_day_bounds(self.date_from, self.date_to, point.site_id.tz)[1]
        values = {}
        for meter_id in point.meter_ids.ids:
            if meter_id not in series:
                continue
            for register, found in series[meter_id].boundaries(end).items():
                # a meter removed before the end (or installed after it) has
                # no counter there
                if found.estimated and found.provenance not in (OPENING, CLOSING):
                    values[f"{meter_id}:{register}"] = str(found.value)
        return values or False

    def _prepare_advance_result(self, point, start):
        occupant = point._occupancy_segments(start, self.date_to)
        vals = {
            "run_id": self.id,
            "billing_point_id": point.id,
            "date_from": start,
            "date_to": self.date_to,
        }
        product = self.company_id.meter_advance_product_id
        if not product or not occupant:
            reason = (
                self.env._("Set the advance product in the settings.")
                if not product
                else self.env._("The unit has no occupant in this period.")
            )
            vals.update(state="blocked", block_reason=reason)
            return vals
        occupancy = occupant[-1][0]
        vals["line_ids"] = [
            Command.create(
                {
                    "partner_id": occupancy.partner_id.id,
                    "occupancy_id": occupancy.id,
                    "name": self.env._(
                        "Advance payment %(start)s - %(end)s",
                        start=start,
                        end=self.date_to,
                    ),
                    "product_id": product.id,
                    "component_type": "advance",
                    "date_from": start,
                    "date_to": self.date_to,
                    "quantity": 1.0,
                    "price_unit": point.advance_amount,
                    "amount": point.advance_amount,
                }
            )
        ]
        return vals

    def _invoice_batch(self):
        """Invoice the next batch of partners; return (done, remaining)."""
        self.ensure_one()
        Line = self.env["meter.billing.line"]
        domain = [
            ("run_id", "=", self.id),
            ("move_id", "=", False),
            ("result_id.state", "in", ("ok", "released")),
        ]
        groups = Line._read_group(domain, ["partner_id"], [], order="partner_id")
        if not groups:
            self._mark_results_invoiced()
            self.state = "invoiced"
            return 0, 0
        partners = self.env["res.partner"].concat(
            *(g[0] for g in groups[:INVOICE_BATCH_SIZE])
        )
        lines = Line.search(domain + [("partner_id", "in", partners.ids)])
        by_partner = lines.grouped("partner_id")
        vals_list = [self._prepare_invoice_vals(p, by_partner[p]) for p in partners]
        moves = self.env["account.move"].create(vals_list)
        self._link_lines(moves, [by_partner[p] for p in partners])
        self._release_cache()
        return len(partners), len(groups) - len(partners)

    def _link_lines(self, moves, line_groups):
        """Point each billing line to its invoice and invoice line, in one
        UPDATE (same transaction as the invoices)."""
        line_ids, move_ids, move_line_ids = [], [], []
        for move, lines in zip(moves, line_groups, strict=True):
            invoice_lines = move.invoice_line_ids.filtered(
                lambda ml: ml.display_type == "product"
            ).sorted("sequence")
            for line, move_line in zip(
                self._invoice_order(lines), invoice_lines, strict=True
            ):
                line_ids.append(line.id)
                move_ids.append(move.id)
                move_line_ids.append(move_line.id)
        Line = self.env["meter.billing.line"]
        Line.flush_model(["move_id", "move_line_id"])
        self.env.execute_query(
            SQL(
                """
                UPDATE meter_billing_line l
                   SET move_id = v.move_id, move_line_id = v.move_line_id
                  FROM unnest(%s::int[], %s::int[], %s::int[])
                       AS v(id, move_id, move_line_id)
                 WHERE l.id = v.id
                """,
                line_ids,
                move_ids,
                move_line_ids,
            )
        )
        Line.browse(line_ids).invalidate_recordset(["move_id", "move_line_id"])
        self.env["meter.billing.result"].invalidate_model(["move_ids"])

    def _mark_results_invoiced(self):
        results = self.result_ids.filtered(
            lambda r: (
                r.state in ("ok", "released") and all(r.line_ids.mapped("move_id"))
            )
        )
        results.write({"state": "invoiced"})
        # Points still blocked free their period for a later run (once the
        # missing readings are there); their reason stays on the result.
        self.result_ids.filtered(lambda r: r.state == "blocked").write(
            {"state": "deferred"}
        )

    @api.model
    def _invoice_order(self, lines):
        """Lines as the tariff orders them: group, billing point, period,
        component sequence."""
        return lines.sorted(
            lambda line: (
                line.invoice_group or "",
                line.billing_point_id.id,
                line.date_from or line.result_id.date_from,
                line.sequence,
                line.id,
            )
        )

    def _prepare_invoice_vals(self, partner, lines):
        """One draft invoice of ``partner`` with ``lines`` grouped under their
        sections and ordered as the tariff says."""
        invoice_lines = []
        section = None
        sequence = 0
        for line in self._invoice_order(lines):
            if line.invoice_group and line.invoice_group != section:
                section = line.invoice_group
                sequence += 1
                invoice_lines.append(
                    Command.create(
                        {
                            "display_type": "line_section",
                            "name": section,
                            "sequence": sequence,
                        }
                    )
                )
            sequence += 1
            invoice_lines.append(
                Command.create(line._prepare_invoice_line_vals(sequence))
            )
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "company_id": self.company_id.id,
            "meter_billing_run_id": self.id,
            "invoice_origin": self.name,
            "invoice_line_ids": invoice_lines,
        }
        if self.invoice_date:
            vals["invoice_date"] = self.invoice_date
        if self.journal_id:
            vals["journal_id"] = self.journal_id.id
        if self.cash_rounding_id:
            vals["invoice_cash_rounding_id"] = self.cash_rounding_id.id
        return vals

    def _post_batch(self):
        self.ensure_one()
        drafts = self.move_ids.filtered(lambda m: m.state == "draft")
        if not drafts:
            self.state = "posted"
            return 0, 0
        batch = drafts[:INVOICE_BATCH_SIZE]
        batch.action_post()
        return len(batch), len(drafts) - len(batch)
