# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid

from meterkit import MeterkitError, codes
from meterkit.exchange import (
    ReadingRow,
    RowError,
    local_to_utc,
    parse_readings_rows,
    parse_readings_xml,
    reading_row,
    render_filename,
    write_readings_xlsx,
    write_readings_xml,
)

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

FORMATS = [("xml", "XML"), ("xlsx", "XLSX")]
ERROR_POLICIES = [
    ("skip", "Skip bad rows and report them"),
    ("stop", "Stop at the first error, keep the rows before it"),
]
TIMES = [
    ("utc", "UTC"),
    ("site", "Time zone of the meter's site"),
]
MAX_REPORT_LINES = 200


class MeterReadingExchange(models.AbstractModel):
    """Readings files and batches in and out: XML, XLSX and the JSON API.

    Rows name their meter by external id or identifier; they are resolved in
    one query among the meters the user may read (record rules: staff see only
    their sites) and within the scope (company, site or building), then stored
    by ``meter.reading.ingest`` with per-row results. Every result names the
    file and line of the row.
    """

    _name = "meter.reading.exchange"
    _description = "Readings Exchange"

    # ------------------------------------------------------------
    # IMPORT
    # ------------------------------------------------------------

    @api.model
    def _parse_file(self, data, filename):
        """``(rows, errors)`` of an XML, XLSX or CSV readings file.

        :raise UserError: naming the file (and line) when it cannot be read.
        """
        extension = (filename or "").lower().rpartition(".")[2]
        try:
            if extension == "xml":
                return parse_readings_xml(data, filename)
            if extension in ("xlsx", "csv"):
                return parse_readings_rows(data, filename)
        except MeterkitError as error:
            raise UserError(str(error)) from error
        raise UserError(
            self.env._(
                "%s: unknown file type, use a .xml, .xlsx or .csv file", filename
            )
        )

    @api.model
    def _import_file(
        self, data, filename, scope=None, policy="skip", dry_run=False, times="utc"
    ):
        """Import a readings file; see :meth:`_import_rows`."""
        rows, errors = self._parse_file(data, filename)
        return self._import_rows(
            rows,
            errors,
            filename,
            scope=scope,
            policy=policy,
            dry_run=dry_run,
            times=times,
        )

    @api.model
    def _import_rows(
        self,
        rows,
        errors,
        filename,
        scope=None,
        policy="skip",
        dry_run=False,
        source="import",
        times="utc",
    ):
        """Store parsed rows; report every other row by file line.

        :param rows: meterkit ``ReadingRow`` list; ``errors`` its ``RowError``.
        :param scope: a ``meter.site``, ``meter.building`` or ``res.company``
            record restricting the meters rows may name (None: the user's).
        :param policy: ``skip`` bad rows, or ``stop`` at the first bad row of
            the file keeping the rows before it.
        :param dry_run: report what would happen and store nothing.
        :param times: how to read instants given without a UTC offset:
            ``utc``, or ``site`` (the wall clock of the meter's site).
        :return: ``{"filename", "total", "created", "duplicates", "rejected":
            [{"line", "code", "message"}], "stopped_at": line or None}``
        """
        rejected = [
            {"line": e.line, "code": e.code, "message": e.message} for e in errors
        ]
        known = self._known_rows(rows, scope, rejected)
        if times == "site":
            known = self._site_times_to_utc(known)
        result, rejected, stopped_at = self._store_by_policy(
            known, rejected, source, filename, policy, dry_run
        )
        rejected.sort(key=lambda item: item["line"])
        return {
            "filename": filename,
            "total": len(rows) + len(errors),
            "created": result["created"],
            "duplicates": result["duplicates"],
            "rejected": rejected,
            "stopped_at": stopped_at,
            "dry_run": dry_run,
        }

    def _known_rows(self, rows, scope, rejected):
        """``[(row, meter_id)]`` of the rows naming a meter within ``scope``;
        the others are appended to ``rejected``."""
        meter_ids = self._resolve_meters(rows, scope)
        known = []
        for row in rows:
            meter_id = meter_ids.get((row.meter_id, row.meter))
            if meter_id:
                known.append((row, meter_id))
            else:
                rejected.append(self._unknown_meter(row))
        return known

    def _store_by_policy(self, known, rejected, source, filename, policy, dry_run):
        """Store ``known`` rows in a savepoint: all of them (``skip``), or only
        those before the first rejected line (``stop``), or none (dry run).

        :return: ``(store result, rejected items kept, stopped_at line)``"""
        stopped_at = None
        with self.env.cr.savepoint() as savepoint:
            result = self._store(known, rejected, source, filename)
            if policy == "stop" and rejected:
                stopped_at = min(item["line"] for item in rejected)
                savepoint.rollback()
                before = [item for item in known if item[0].line < stopped_at]
                result = self._store(before, [], source, filename)
                rejected = [item for item in rejected if item["line"] == stopped_at]
            if dry_run:
                savepoint.rollback()
        if dry_run or stopped_at:
            self.env.invalidate_all()
        return result, rejected, stopped_at

    def _site_times_to_utc(self, known):
        """Rows whose instant had no UTC offset, read on the wall clock of
        their meter's site (one query for the time zones)."""
        meter_ids = list({meter_id for row, meter_id in known if row.local})
        if not meter_ids:
            return known
        tz_of = {
            meter.id: meter.site_id.tz or "UTC"
            for meter in self.env["meter.meter"].browse(meter_ids)
        }
        converted = {}
        result = []
        for row, meter_id in known:
            if row.local:
                key = (row.read_at, tz_of[meter_id])
                if key not in converted:
                    converted[key] = local_to_utc(*key)
                row = row._replace(read_at=converted[key], local=False)
            result.append((row, meter_id))
        return result

    def _store(self, known, rejected, source, filename):
        where = self.env._("%s, line ", filename)
        result = self.env["meter.reading.ingest"]._ingest(
            [
                (meter_id, row.register, row.read_at, row.value, f"{where}{row.line}")
                for row, meter_id in known
            ],
            source=source,
            on_error="skip",
        )
        messages = self.env["meter.reading.ingest"]._code_messages()
        for item in result["rejected"]:
            row = known[item["index"]][0]
            rejected.append(
                {
                    "line": row.line,
                    "code": item["code"],
                    "message": self._row_message(row, messages.get(item["code"])),
                }
            )
        return result

    def _row_message(self, row, message):
        return self.env._(
            "meter %(meter)s, %(register)s at %(at)s, value %(value)s: %(message)s",
            meter=row.meter_id or row.meter,
            register=row.register,
            at=fields.Datetime.to_string(row.read_at),
            value=row.value,
            message=message,
        )

    def _unknown_meter(self, row):
        return {
            "line": row.line,
            "code": codes.UNKNOWN_METER,
            "message": self._row_message(
                row,
                self.env._(
                    "no such meter among the meters you can access in this scope"
                ),
            ),
        }

    @api.model
    def _resolve_meters(self, rows, scope=None):
        """``{(meter_id, meter): database id}`` for the keys of ``rows`` that
        name one meter the user may read within ``scope``. An external id wins
        over an identifier; an identifier used in several companies resolves
        to nothing (name the meter by its external id then)."""
        xmlids = {row.meter_id for row in rows if row.meter_id}
        names = {row.meter for row in rows if row.meter and not row.meter_id}
        by_xmlid = self._meters_by_xmlid(xmlids)
        domain = self._scope_domain(scope)
        allowed = set()
        if by_xmlid:
            allowed = set(
                self.env["meter.meter"]
                .search(domain + [("id", "in", list(set(by_xmlid.values())))])
                .ids
            )
        by_name = {}
        if names:
            found = self.env["meter.meter"].search_read(
                domain + [("name", "in", list(names))], ["name"], load=None
            )
            for meter in found:
                by_name[meter["name"]] = (
                    None if meter["name"] in by_name else meter["id"]
                )
        result = {}
        for row in rows:
            key = (row.meter_id, row.meter)
            if key in result:
                continue
            if row.meter_id:
                meter_id = by_xmlid.get(row.meter_id)
                result[key] = meter_id if meter_id in allowed else None
            else:
                result[key] = by_name.get(row.meter)
        return result

    def _meters_by_xmlid(self, xmlids):
        pairs = [tuple(x.split(".", 1)) for x in xmlids if "." in x]
        if not pairs:
            return {}
        rows = self.env.execute_query(
            SQL(
                """
                SELECT module || '.' || name, res_id FROM ir_model_data
                 WHERE model = 'meter.meter' AND (module, name) IN %s
                """,
                tuple(pairs),
            )
        )
        return dict(rows)

    def _scope_domain(self, scope):
        if not scope:
            return [("company_id", "in", self.env.companies.ids)]
        if scope._name == "meter.building":
            return [("building_id", "=", scope.id)]
        if scope._name == "meter.site":
            return [("site_id", "child_of", scope.id)]
        return [("company_id", "=", scope.id)]

    @api.model
    def _report_text(self, result):
        """A readable report of an import result, for wizards, logs and mails."""
        lines = [
            self.env._(
                "%(file)s: %(total)s row(s), %(created)s stored, %(dup)s already "
                "stored, %(bad)s refused.",
                file=result["filename"],
                total=result["total"],
                created=result["created"],
                dup=result["duplicates"],
                bad=len(result["rejected"]),
            )
        ]
        if result.get("dry_run"):
            lines.append(self.env._("Dry run: nothing was stored."))
        if result.get("stopped_at"):
            lines.append(
                self.env._(
                    "Stopped at line %s; the rows before it were kept, the rows "
                    "after it were not read.",
                    result["stopped_at"],
                )
            )
        for item in result["rejected"][:MAX_REPORT_LINES]:
            lines.append(
                self.env._(
                    "line %(line)s [%(code)s] %(message)s",
                    line=item["line"],
                    code=item["code"],
                    message=item["message"],
                )
            )
        if len(result["rejected"]) > MAX_REPORT_LINES:
            lines.append(
                self.env._(
                    "... and %s more.", len(result["rejected"]) - MAX_REPORT_LINES
                )
            )
        return "\n".join(lines)

    # ------------------------------------------------------------
    # API
    # ------------------------------------------------------------

    @api.model
    def _ingest_items(self, items, source="api"):
        """Store a JSON batch of readings; one result per item, in order.

        Each item is an object with ``meter_id`` (external id, or database id
        as an integer) and/or ``meter`` (identifier), ``register`` (default
        ``T1``), ``read_at`` (ISO 8601, UTC when no offset), ``value``
        (number, or numeric text) and optionally ``evidence`` (text, e.g. the
        raw frame), stored on the reading.

        :return: ``{"created", "duplicates", "rejected", "items": [{"index",
            "status", "code"?, "message"?}]}``
        """
        results, evidence = {}, {}
        rows = self._item_rows(items, results, evidence)
        known = self._known_item_rows(rows, results)
        stored = self.env["meter.reading.ingest"]._ingest(
            [
                (meter_id, r.register, r.read_at, r.value, evidence.get(r.line))
                for r, meter_id in known
            ],
            source=source,
            on_error="skip",
        )
        self._item_results(known, stored["items"], results)
        ordered = [results[index] for index in range(len(items))]
        return {
            "created": stored["created"],
            "duplicates": stored["duplicates"],
            "rejected": sum(1 for r in ordered if r["status"] == "rejected"),
            "items": ordered,
        }

    def _item_rows(self, items, results, evidence):
        """The parsable items as ``ReadingRow`` (line = item index); the
        others get their result in ``results``, evidence goes to
        ``evidence[index]``."""
        rows = []
        for index, item in enumerate(items):
            parsed = self._item_row(index, item)
            if isinstance(parsed, ReadingRow):
                rows.append(parsed)
                if item.get("evidence"):
                    evidence[index] = item["evidence"]
            else:
                results[index] = self._item_error(index, parsed.code, parsed.message)
        return rows

    def _known_item_rows(self, rows, results):
        """``[(row, meter_id)]`` of the rows whose meter is found (by id, or by
        identifier and name); the others are rejected in ``results``."""
        by_id = self._meters_by_id(rows)
        meter_ids = self._resolve_meters(
            [row for row in rows if not isinstance(row.meter_id, int)]
        )
        known = []
        for row in rows:
            key = row.meter_id if isinstance(row.meter_id, int) else None
            meter_id = (
                by_id.get(key) if key else meter_ids.get((row.meter_id, row.meter))
            )
            if meter_id:
                known.append((row, meter_id))
            else:
                unknown = self._unknown_meter(row)
                results[row.line] = self._item_error(
                    row.line, unknown["code"], unknown["message"]
                )
        return known

    def _item_results(self, known, stored_items, results):
        """Ingestion's per-item results, given back the caller's item index
        and a message naming the row."""
        messages = self.env["meter.reading.ingest"]._code_messages()
        for result in stored_items:
            row = known[result["index"]][0]
            entry = {"index": row.line, "status": result["status"]}
            if result["status"] == "rejected":
                entry.update(
                    code=result["code"],
                    message=self._row_message(row, messages.get(result["code"])),
                )
            results[row.line] = entry

    def _item_error(self, index, code, message):
        return {"index": index, "status": "rejected", "code": code, "message": message}

    def _item_row(self, index, item):
        """A ReadingRow (``line`` = index) or a RowError for one JSON item."""
        if not isinstance(item, dict):
            return _row_error(index, self.env._("an item must be a JSON object"))
        meter_id = item.get("meter_id")
        meter = item.get("meter")
        if isinstance(meter_id, bool) or not isinstance(meter_id, int | str | None):
            return _row_error(
                index, self.env._("meter_id must be a text or an integer")
            )
        if not isinstance(meter, str | None):
            return _row_error(index, self.env._("meter must be a text"))
        register = item.get("register", "T1")
        read_at = item.get("read_at")
        value = item.get("value")
        if not isinstance(register, str) or not isinstance(read_at, str):
            return _row_error(index, self.env._("register and read_at must be texts"))
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return _row_error(index, self.env._("value must be a number"))
        proof = item.get("evidence")
        if proof is not None and (not isinstance(proof, str) or len(proof) > 4000):
            return _row_error(
                index, self.env._("evidence must be a text of at most 4000 characters")
            )
        if isinstance(meter_id, int):
            result = reading_row(index, "", f"#{meter_id}", register, read_at, value)
            if isinstance(result, ReadingRow):
                result = ReadingRow(
                    index,
                    meter_id,
                    meter or "",
                    result.register,
                    result.read_at,
                    result.value,
                )
            return result
        return reading_row(index, meter_id, meter, register, read_at, value)

    def _meters_by_id(self, rows):
        ids = {row.meter_id for row in rows if isinstance(row.meter_id, int)}
        if not ids:
            return {}
        meters = self.env["meter.meter"].search(
            [("id", "in", list(ids)), ("company_id", "in", self.env.companies.ids)]
        )
        return {meter_id: meter_id for meter_id in meters.ids}

    # ------------------------------------------------------------
    # EXPORT
    # ------------------------------------------------------------

    @api.model
    def _export(self, fmt, scope, date_from=None, date_to=None):
        """The readings file (bytes) of the live readings of ``scope`` (a
        company, site or building) between the two datetimes, keyed by the
        meters' external ids (created when missing, as Odoo's export does)."""
        scope.with_env(self.env).check_access("read")
        readings = self._export_rows(scope, date_from, date_to)
        if fmt == "xlsx":
            return write_readings_xlsx(readings)
        return write_readings_xml(
            readings,
            generated=fields.Datetime.now(),
            company=self._scope_company(scope).name,
            scope=scope.display_name,
        )

    @api.model
    def _export_filename(self, scope, fmt, when, template=None):
        """The name of an export file of ``scope`` (named by its code, else its
        name) made at ``when``, from a meterkit file-name template."""
        return render_filename(
            template or "readings_{entity}_{datetime}",
            entity=getattr(scope, "code", False) or scope.name,
            entity_id=scope.id,
            when=when,
            extension=fmt,
        )

    def _meter_xmlids(self, meters):
        """{meter id: external id}; meters without one get an
        ``__export__.meter_meter_<id>_<random>`` id, as Odoo's export gives."""
        existing = meters._get_external_ids()
        result = {mid: ids[0] for mid, ids in existing.items() if ids}
        missing = [mid for mid in meters.ids if mid not in result]
        if missing:
            vals_list = [
                {
                    "module": "__export__",
                    "name": f"meter_meter_{mid}_{uuid.uuid4().hex[:8]}",
                    "model": "meter.meter",
                    "res_id": mid,
                }
                for mid in missing
            ]
            # The meters were read under the user's access rules above;
            # external ids are technical records only administrators write.
            data_sudo = self.env["ir.model.data"].sudo()
            data_sudo.create(vals_list)
            result.update(
                (vals["res_id"], f"__export__.{vals['name']}") for vals in vals_list
            )
        return result

    def _scope_company(self, scope):
        return scope if scope._name == "res.company" else scope.company_id

    def _export_rows(self, scope, date_from, date_to):
        domain = [("state", "in", ("valid", "estimated"))]
        domain += self._scope_domain(scope)
        if date_from:
            domain.append(("read_at", ">=", date_from))
        if date_to:
            domain.append(("read_at", "<=", date_to))
        Reading = self.env["meter.reading"]
        groups = Reading._read_group(domain, ["meter_id"])
        meters = self.env["meter.meter"].browse([g[0].id for g in groups])
        xmlids = self._meter_xmlids(meters)
        info = {
            meter.id: {
                "meter_id": xmlids[meter.id],
                "meter": meter.name,
                "site": meter.site_id.display_name,
                "building": meter.building_id.display_name or None,
                "unit": meter.unit_id.display_name or None,
                "resource": meter.resource_id.code,
            }
            for meter in meters
        }
        records = Reading.search_read(
            domain,
            [
                "meter_id",
                "register",
                "read_at",
                "value",
                "consumption",
                "source",
                "state",
            ],
            order="meter_id, register, read_at",
            load=None,
        )
        return [
            dict(
                info[record["meter_id"]],
                register=record["register"],
                read_at=record["read_at"],
                value=record["value"],
                consumption=record["consumption"],
                source=record["source"],
                state=record["state"],
            )
            for record in records
        ]


def _row_error(index, message):
    return RowError(index, codes.NOT_PARSABLE, message)
