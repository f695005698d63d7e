# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from markupsafe import Markup, escape
from meterkit import MeterkitError
from meterkit.exchange import next_run_utc, parse_cron, render_filename
from meterkit.exchange.ftp import FtpEndpoint

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.base.models.res_partner import _tz_get

from .meter_reading_exchange import ERROR_POLICIES, FORMATS, TIMES

_logger = logging.getLogger(__name__)

CRON_FIELDS = ("cron_minute", "cron_hour", "cron_day", "cron_month", "cron_weekday")


class MeterExchangeJob(models.Model):
    """A scheduled readings exchange with an FTP or FTPS server.

    An import job reads every file named by its remote paths (a file, a
    directory or a pattern such as ``/in/*.xml``), imports it with the job's
    error policy and may delete it afterwards; an export job writes the
    readings of its scope (company, site or building) of the last days to one
    file named by its template. Jobs run with the access rights of their
    owner, every file leaves a log line, and a report can be e-mailed.
    """

    _name = "meter.exchange.job"
    _description = "Exchange Job"
    _order = "name, id"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Run As",
        required=True,
        default=lambda self: self.env.user,
        help="The job reads and writes with this user's access rights (sites).",
    )
    direction = fields.Selection(
        [("import", "Import (source)"), ("export", "Export (destination)")],
        required=True,
        default="import",
    )
    file_format = fields.Selection(
        FORMATS,
        required=True,
        default="xml",
        help="Format of exported files; imports go by the file extension.",
    )
    protocol = fields.Selection(
        [("ftp", "FTP"), ("ftps", "FTPS (explicit TLS)")], required=True, default="ftps"
    )
    host = fields.Char(required=True)
    port = fields.Integer(default=21, required=True)
    username = fields.Char(default="anonymous")
    password = fields.Char(groups="meter_base.meter_base_group_manager")
    tls_verify = fields.Boolean(
        string="Verify Certificate", default=True, help="FTPS: check the certificate."
    )
    timeout = fields.Integer(string="Timeout (s)", default=30, required=True)
    remote_paths = fields.Text(
        required=True,
        default="/",
        help="One per line. Import: files, directories or patterns (/in/*.xml). "
        "Export: the destination directory (first line).",
    )
    delete_after_read = fields.Boolean(
        help="Delete an imported file once read without a file-level error "
        "(kept when the import stopped at a bad row)."
    )
    filename_template = fields.Char(
        default="readings_{entity}_{date}",
        help="Exported file name: {entity} (site, building or company code), "
        "{entity_id} (its id), {date} (YYYYMMDD), {datetime} (YYYYMMDD-HHMMSS), "
        "{date:%Y-%m}.",
    )
    site_id = fields.Many2one("meter.site", check_company=True)
    building_id = fields.Many2one("meter.building", check_company=True)
    export_days = fields.Integer(
        string="Export Last Days", default=31, help="Export readings of these days."
    )
    error_policy = fields.Selection(ERROR_POLICIES, required=True, default="skip")
    times = fields.Selection(
        TIMES,
        string="Times Without Offset",
        required=True,
        default="utc",
        help="How to read imported instants written without a UTC offset.",
    )
    cron_minute = fields.Char(string="Minute", required=True, default="0")
    cron_hour = fields.Char(string="Hour", required=True, default="2")
    cron_day = fields.Char(string="Day of Month", required=True, default="*")
    cron_month = fields.Char(string="Month", required=True, default="*")
    cron_weekday = fields.Char(
        string="Day of Week", required=True, default="*", help="0 or 7 = Sunday"
    )
    tz = fields.Selection(
        _tz_get,
        string="Time Zone",
        required=True,
        default=lambda self: self.env.user.tz or "UTC",
        help="The schedule is read on this time zone's wall clock.",
    )
    next_run_at = fields.Datetime(
        string="Next Run", compute="_compute_next_run_at", store=True, readonly=False
    )
    last_run_at = fields.Datetime(string="Last Run", readonly=True)
    report_email = fields.Char(
        string="Report To", help="E-mail addresses (comma-separated) for the report."
    )
    log_ids = fields.One2many("meter.exchange.log", "job_id", readonly=True)
    last_status = fields.Selection(related="log_ids.status", string="Last Status")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends(*CRON_FIELDS, "tz", "active")
    def _compute_next_run_at(self):
        now = fields.Datetime.now()
        for job in self:
            try:
                job.next_run_at = job.active and job._next_run(now)
            except ValidationError:
                job.next_run_at = False  # the constraint names the field

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains(*CRON_FIELDS)
    def _check_schedule(self):
        for job in self:
            job._schedule()

    @api.constrains("filename_template")
    def _check_filename_template(self):
        for job in self.filtered("filename_template"):
            try:
                render_filename(
                    job.filename_template, entity="x", when=fields.Datetime.now()
                )
            except MeterkitError as error:
                raise ValidationError(
                    self.env._("Job %(job)s: %(error)s", job=job.name, error=error)
                ) from error

    def _next_run(self, after):
        """The first due instant after ``after`` (UTC), read in the job's
        time zone."""
        return next_run_utc(self._schedule(), after, self.tz)

    def _schedule(self):
        self.ensure_one()
        try:
            return parse_cron(*(self[name] or "" for name in CRON_FIELDS))
        except MeterkitError as error:
            raise ValidationError(
                self.env._("Job %(job)s: %(error)s", job=self.name, error=error)
            ) from error

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_run_now(self):
        self.ensure_one()
        logs = self._run()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Exchange Log"),
            "res_model": "meter.exchange.log",
            "view_mode": "list,form",
            "domain": [("id", "in", logs.ids)],
        }

    def action_open_logs(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Exchange Log"),
            "res_model": "meter.exchange.log",
            "view_mode": "list,form",
            "domain": [("job_id", "=", self.id)],
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _cron_run_due(self):
        """Run every active job that is due, one at a time, committing after
        each (a job locked by another worker is left to it)."""
        due = self.search([("next_run_at", "<=", fields.Datetime.now())])
        cron = self.env["ir.cron"]
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        if in_cron:
            cron._commit_progress(remaining=len(due))
        for job in due:
            if not job.try_lock_for_update(allow_referencing=True):
                continue
            try:
                with self.env.cr.savepoint():
                    job._run()
            except Exception as error:  # noqa: BLE001
                # One broken job must not stop the cron nor block the jobs
                # after it: it is logged as failed and waits for its next run.
                _logger.exception("Exchange job %s failed", job.display_name)
                job._record_failure(error)
            if in_cron and not cron._commit_progress(1):
                break

    def _record_failure(self, error):
        started = fields.Datetime.now()
        self.write({"last_run_at": started, "next_run_at": self._next_run(started)})
        log = self._log("failed", message=f"{type(error).__name__}: {error}")
        self._send_report(log)
        return log

    def _run(self):
        """Run the job now; return its log lines (one per file)."""
        self.ensure_one()
        started = fields.Datetime.now()
        try:
            with self._endpoint().connect() as session:
                if self.direction == "import":
                    logs = self._run_import(session)
                else:
                    logs = self._run_export(session, started)
        except MeterkitError as error:
            logs = self._log("failed", message=str(error))
        self.write(
            {
                "last_run_at": started,
                "next_run_at": self._next_run(started),
            }
        )
        self._send_report(logs)
        return logs

    def _endpoint(self):
        return FtpEndpoint(
            host=self.host,
            port=self.port,
            username=self.username or "anonymous",
            password=self.password or "",
            tls=self.protocol == "ftps",
            verify=self.tls_verify,
            timeout=self.timeout,
        )

    def _scope(self):
        return self.building_id or self.site_id or self.company_id

    def _exchange(self):
        """The exchange service with the owner's access rights."""
        return (
            self.env["meter.reading.exchange"]
            .with_user(self.user_id)
            .with_company(self.company_id)
        )

    def _log(self, status, **vals):
        return self.env["meter.exchange.log"].create(
            {"job_id": self.id, "kind": self.direction, "status": status, **vals}
        )

    def _run_import(self, session):
        paths = [p.strip() for p in (self.remote_paths or "").splitlines() if p.strip()]
        files = []
        for path in paths:
            files += session.expand(path)
        logs = self.env["meter.exchange.log"]
        for position, path in enumerate(files):
            log = self._import_one(session, path)
            logs |= log
            if self.error_policy == "stop" and log.status != "done":
                left = files[position + 1 :]
                if left:
                    log.message = "\n".join(
                        [
                            log.message or "",
                            self.env._(
                                "Stopped: %(count)s more file(s) left on the server "
                                "for the next run: %(files)s",
                                count=len(left),
                                files=", ".join(left),
                            ),
                        ]
                    )
                break
        if not logs:
            logs = self._log(
                "done", message=self.env._("No file found in %s.", ", ".join(paths))
            )
        return logs

    def _import_one(self, session, path):
        log = self._log("running", filename=path)
        exchange = self._exchange()
        try:
            with self.env.cr.savepoint():
                data = session.read(path)
                result = exchange._import_file(
                    data,
                    path,
                    scope=self._scope(),
                    policy=self.error_policy,
                    times=self.times,
                )
        except (MeterkitError, UserError) as error:
            log.write({"status": "failed", "message": str(error)})
            return log
        log.write(
            {
                "status": "partial" if result["rejected"] else "done",
                "message": exchange._report_text(result),
                "row_count": result["total"],
                "created_count": result["created"],
                "duplicate_count": result["duplicates"],
                "error_count": len(result["rejected"]),
            }
        )
        if self.delete_after_read and not result["stopped_at"]:
            try:
                session.delete(path)
            except MeterkitError as error:
                log.message = f"{log.message}\n{error}"
        return log

    def _run_export(self, session, started):
        scope = self._scope()
        name = self.env["meter.reading.exchange"]._export_filename(
            scope,
            self.file_format,
            started,
            self.filename_template or "readings_{entity}_{date}",
        )
        directory = (self.remote_paths or "/").splitlines()[0].strip() or "/"
        path = f"{directory.rstrip('/')}/{name}"
        log = self._log("running", filename=path)
        date_from = (
            started - timedelta(days=self.export_days) if self.export_days else None
        )
        try:
            data = self._exchange()._export(self.file_format, scope, date_from, started)
            session.write(path, data)
        except (MeterkitError, UserError) as error:
            log.write({"status": "failed", "message": str(error)})
            return log
        log.write(
            {
                "status": "done",
                "message": self.env._("%(bytes)s bytes written.", bytes=len(data)),
            }
        )
        return log

    def _send_report(self, logs):
        if not self.report_email:
            return
        statuses = dict(self.env["meter.exchange.log"]._fields["status"].selection)
        body = Markup("").join(
            Markup("<p><b>%s</b> %s</p><pre>%s</pre>")
            % (log.filename or self.host, statuses[log.status], log.message or "")
            for log in logs
        )
        # Mails are system records; the job (readable by the caller) is checked.
        self.check_access("read")
        mail_sudo = self.env["mail.mail"].sudo()
        mail_sudo.create(
            {
                "subject": self.env._(
                    "Exchange job %(job)s: %(status)s",
                    job=self.name,
                    status=", ".join(
                        sorted({statuses[s] for s in logs.mapped("status")})
                    ),
                ),
                "email_to": self.report_email,
                "body_html": body or escape(self.name),
                "auto_delete": False,
            }
        )
