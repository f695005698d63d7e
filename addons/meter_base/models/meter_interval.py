# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import count

from meterkit.estimates import local_midnight_utc
from meterkit.readings import REGISTER_NAMES

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .meter_meter import REGISTERS
from .meter_reading_ingest import _ChunkReader

REGISTER_CODES = frozenset(code for code, _label in REGISTERS)
CHUNK_ROWS = 20_000
MAX_SHOWN = 20
LOAD_TABLE = "meter_interval_load"
# A non-negative decimal written plainly: "12", "0.25", "+3.5" (others go
# through Decimal).
_PLAIN_NUMBER = re.compile(r"\+?[0-9]{1,20}(?:\.[0-9]{0,20})?")


class MeterInterval(models.Model):
    """An interval value of a meter register: the energy (kWh) measured in the
    interval that starts at ``start`` (naive UTC, half-open ``[start, start +
    interval)``, normally 15 minutes; RULES.md §5.6).

    Sized for millions of rows: four columns and the id, no chatter, no
    create/write stamps; one index per read pattern, (meter, start) for the
    aggregations and the unique (meter, register, start) that makes a replayed
    load store nothing. Rows are written by :meth:`_bulk_load` (COPY), read through
    ``meter.consumption`` (``_interval_totals``, ``_interval_bands``,
    ``_interval_peaks``, ``_interval_series``: many meters and periods, summed
    in SQL). The table keeps its name since the model moved here from
    meter_billing (an upgrade re-homes the model and its access rules).

    Every write keeps ``meter.interval.pack`` (the rows packed per meter,
    register and UTC month, for reads of every interval) right: a load
    rebuilds the packs of the months it touched, any other write marks them
    stale for the next read to rebuild.
    """

    _name = "meter.interval"
    _description = "Meter Interval Value"
    _order = "meter_id, start, register"
    _rec_name = "meter_id"
    _log_access = False

    meter_id = fields.Many2one(
        "meter.meter", required=True, ondelete="cascade", readonly=True
    )
    register = fields.Selection(REGISTERS, required=True, default="T1", readonly=True)
    start = fields.Datetime(
        required=True, readonly=True, help="Start of the interval (UTC)."
    )
    value = fields.Float(
        digits=(16, 4), required=True, readonly=True, help="Energy of the interval."
    )

    _meter_start = models.Index("(meter_id, start)")
    _once_per_start = models.UniqueIndex(
        "(meter_id, register, start)",
        "A meter register has only one value per interval.",
    )
    _value_positive = models.Constraint(
        "CHECK (value >= 0)", "An interval value cannot be negative."
    )

    # ------------------------------------------------------------
    # CRUD (the ORM path, e.g. RPC; packs of the months touched go stale)
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._invalidate_packs()
        return records

    def write(self, vals):
        moved = {"meter_id", "register", "start"} & set(vals)
        if moved:
            self._invalidate_packs()
        result = super().write(vals)
        self._invalidate_packs()
        return result

    def unlink(self):
        self._invalidate_packs()
        return super().unlink()

    def _invalidate_packs(self):
        """Mark stale the packs of the months of these rows (as stored:
        pending ORM writes are flushed first)."""
        self.flush_recordset()
        self.env["meter.interval.pack"]._invalidate(self.ids)

    # ------------------------------------------------------------
    # BULK LOAD
    # ------------------------------------------------------------

    @api.model
    def _bulk_load(self, rows, lines=None):
        """Store ``rows`` of ``(meter_id, register, start, value)``.

        ``start`` is a naive UTC datetime, an aware datetime (converted to UTC)
        or an ISO 8601 string; ``value`` a number or numeric string (kWh, >= 0).
        The rows are streamed with ``COPY`` into a temporary table, checked there
        in SQL (meters the user may read, registers of the meter, no two values
        for one interval) and moved with ``INSERT ... ON CONFLICT DO NOTHING``:
        replaying a load stores nothing. When rows were skipped, none of them may
        differ from the stored value (stored before, or by a concurrent load).
        When rows were created, the packs of every meter and UTC month of the
        batch are rebuilt from the stored rows (``meter.interval.pack``).
        All or nothing: a bad row raises a ValidationError naming up to 20 rows
        (1-based line, field, value) and nothing is stored.

        :param lines: the line number of each row in its source file, used in
            the messages (default: the 1-based position in ``rows``).
        :return: ``{"created": n, "duplicates": n}``; duplicates are rows
            already stored or repeated in the batch with the same value.
        """
        self.check_access("create")
        self.flush_model()
        cr = self.env.cr
        with cr.savepoint():
            total = self._stage_rows(rows, lines)
            self._check_loaded_meters()
            self._check_batch_conflicts()
            created = self._move_staged_rows()
            if created < total:
                # Only a skipped row can hide another value, stored before or
                # by a concurrent load (then committed: this statement sees it).
                self._check_stored_conflicts()
            if created:
                self._build_loaded_packs()
            cr.execute(SQL("TRUNCATE %s", SQL.identifier(LOAD_TABLE)))
        self.invalidate_model()
        self._refresh_statistics(created)
        return {"created": created, "duplicates": total - created}

    def _build_loaded_packs(self):
        """Rebuild the packs of the meters and months of the load table."""
        self.env["meter.interval.pack"]._build_loaded(LOAD_TABLE)

    def _stage_rows(self, rows, lines):
        """COPY ``rows`` into the (emptied) temporary load table; a malformed
        row raises the ValidationError of all of them. Returns the row count."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "CREATE TEMP TABLE IF NOT EXISTS %s (line int, meter_id int, "
                "register varchar, start timestamp, value numeric) "
                "ON COMMIT DROP",
                SQL.identifier(LOAD_TABLE),
            )
        )
        cr.execute(SQL("TRUNCATE %s", SQL.identifier(LOAD_TABLE)))
        bad_rows = []
        total = self._copy_rows(_interval_chunks(rows, bad_rows, lines))
        self._raise_errors(
            [(line, self._row_message(f, value)) for line, f, value in bad_rows]
        )
        cr.execute(SQL("ANALYZE %s", SQL.identifier(LOAD_TABLE)))
        return total

    def _move_staged_rows(self):
        """Insert the checked rows of the load table, skipping the intervals
        already stored; returns how many rows were created."""
        cr = self.env.cr
        trusted = self._trust_foreign_keys()
        cr.execute(
            SQL(
                "INSERT INTO meter_interval (meter_id, register, start, value) "
                "SELECT meter_id, register, start, value FROM %s "
                "ON CONFLICT (meter_id, register, start) DO NOTHING",
                SQL.identifier(LOAD_TABLE),
            )
        )
        created = cr.rowcount
        if trusted:
            cr.execute(SQL("SET LOCAL session_replication_role = DEFAULT"))
        return created

    def _trust_foreign_keys(self):
        """As a database superuser, skip the foreign-key triggers of the next
        statement (halves the insert time): every meter id was checked and
        locked by :meth:`_check_loaded_meters`. Otherwise PostgreSQL checks
        them as usual. On an error, the savepoint's rollback undoes SET LOCAL.
        """
        if self.env.context.get("meter_interval_check_fk"):
            return False
        superuser = self.env.execute_query(
            SQL("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        )[0][0]
        if superuser:
            self.env.cr.execute(SQL("SET LOCAL session_replication_role = replica"))
        return superuser

    def _copy_rows(self, chunks):
        stream = _ChunkReader(chunks)
        try:
            self.env.cr.copy_expert(
                f"COPY {LOAD_TABLE} (line, meter_id, register, start, value) "
                "FROM STDIN",
                stream,
                size=1 << 18,
            )
        finally:
            stream.close()
        if stream.error:
            raise stream.error
        return stream.rows

    def _row_message(self, field_name, value):
        messages = {
            "row": self.env._(
                "expected (meter_id, register, start, value), not %s", value
            ),
            "meter_id": self.env._("meter_id %s is not an integer.", value),
            "register": self.env._("register %s is not one of T1 to T8.", value),
            "start": self.env._("start %s is not a date and time.", value),
            "value": self.env._("value %s is not a number >= 0.", value),
        }
        return messages[field_name]

    def _raise_errors(self, errors):
        """Raise a ValidationError listing ``errors`` of ``(line, message)``."""
        if not errors:
            return
        errors = sorted(errors)
        shown = "\n".join(
            self.env._("Line %(line)s: %(message)s", line=line, message=message)
            for line, message in errors[:MAX_SHOWN]
        )
        more = len(errors) - MAX_SHOWN
        if more > 0:
            shown += "\n" + self.env._("... and %s more.", more)
        raise ValidationError(
            self.env._("Interval values not loaded, nothing was stored:\n%s", shown)
        )

    def _check_loaded_meters(self):
        """Every meter exists and is readable by the user; every register exists
        on its meter. The meters are locked against deletion until the commit."""
        table = SQL.identifier(LOAD_TABLE)
        meter_ids = [
            row[0]
            for row in self.env.execute_query(
                SQL("SELECT DISTINCT meter_id FROM %s", table)
            )
        ]
        meters = self.env["meter.meter"].search([("id", "in", meter_ids)])
        unknown = set(meter_ids) - set(meters.ids)
        if unknown:
            rows = self.env.execute_query(
                SQL(
                    "SELECT min(line), meter_id FROM %s WHERE meter_id IN %s "
                    "GROUP BY meter_id",
                    table,
                    tuple(unknown),
                )
            )
            self._raise_errors(
                [
                    (
                        line,
                        self.env._(
                            "meter_id %s: no such meter in your sites.", meter_id
                        ),
                    )
                    for line, meter_id in rows
                ]
            )
        if not meter_ids:
            return
        self.env.execute_query(
            SQL(
                "SELECT id FROM meter_meter WHERE id IN %s FOR KEY SHARE",
                tuple(meter_ids),
            )
        )
        self._check_loaded_registers()

    def _check_loaded_registers(self):
        """Every register loaded exists on its meter (T1 up to its count)."""
        table = SQL.identifier(LOAD_TABLE)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT l.line, m.name, l.register, m.register_count
                  FROM %s l JOIN meter_meter m ON m.id = l.meter_id
                  JOIN unnest(%s::varchar[]) WITH ORDINALITY AS r(name, n)
                    ON r.name = l.register
                 WHERE r.n > m.register_count
                 ORDER BY l.line LIMIT %s
                """,
                table,
                list(REGISTER_NAMES),
                MAX_SHOWN + 1,
            )
        )
        self._raise_errors(
            [
                (
                    line,
                    self.env._(
                        "register %(register)s: meter %(meter)s has %(count)s "
                        "registers.",
                        register=register,
                        meter=name,
                        count=register_count,
                    ),
                )
                for line, name, register, register_count in rows
            ]
        )

    def _check_batch_conflicts(self):
        """No interval gets two different values inside the batch."""
        self._raise_conflicts(
            """
            SELECT min(line), meter_id, register, start, count(*), NULL
              FROM %s GROUP BY meter_id, register, start
            HAVING min(value) <> max(value)
             ORDER BY 1 LIMIT %s
            """
        )

    def _check_stored_conflicts(self):
        """No row of the batch differs from the value stored for its interval."""
        self._raise_conflicts(
            """
            SELECT l.line, l.meter_id, l.register, l.start, i.value, l.value
              FROM %s l
              JOIN meter_interval i ON i.meter_id = l.meter_id
               AND i.register = l.register AND i.start = l.start
             WHERE i.value <> l.value
             ORDER BY l.line LIMIT %s
            """
        )

    def _raise_conflicts(self, query):
        """Raise on the rows of ``query`` (a constant SQL text over the load
        table): ``(line, meter_id, register, start, stored value or batch
        count, new value or NULL)``."""
        rows = self.env.execute_query(
            SQL(query, SQL.identifier(LOAD_TABLE), MAX_SHOWN + 1)
        )
        errors = []
        for line, meter_id, register, start, stored, value in rows:
            where = self.env._(
                "meter_id %(meter)s, register %(register)s, start %(start)s",
                meter=meter_id,
                register=register,
                start=start,
            )
            if value is None:
                what = self.env._(
                    "the batch holds %s rows with different values.", stored
                )
            else:
                what = self.env._(
                    "%(stored)s is already stored, not %(value)s.",
                    stored=stored,
                    value=value,
                )
            errors.append((line, f"{where}: {what}"))
        self._raise_errors(errors)

    def _refresh_statistics(self, created):
        """After a load that at least doubles the table, refresh the planner's
        statistics so that the next aggregations use the indexes."""
        if created < 100_000:
            return
        estimate = self.env.execute_query(
            SQL("SELECT reltuples FROM pg_class WHERE relname = 'meter_interval'")
        )[0][0]
        if created > estimate:
            self.env.cr.execute(SQL("ANALYZE meter_interval"))

    # ------------------------------------------------------------
    # AGGREGATIONS (single-period forms of meter.consumption's API)
    # ------------------------------------------------------------

    @api.model
    def _utc_bounds(self, date_from, date_to, tz):
        """Naive UTC ``[start, end)`` of the local days ``date_from`` to
        ``date_to`` (both included) in timezone ``tz``."""
        return (
            local_midnight_utc(date_from, tz),
            local_midnight_utc(date_to + timedelta(days=1), tz),
        )

    @api.model
    def _band_consumption(self, meter_ids, start, end, calendar, registers=None):
        """Interval energy of each meter per time-of-use band over ``[start,
        end)`` (naive UTC), see ``meter.consumption._interval_bands``.

        :param calendar: a ``meterkit.TouCalendar`` or a record with a
            ``_to_meterkit()`` method (billing's ``meter.tou.calendar``).
        :return: ``{meter_id: {band: Decimal}}`` for every meter asked, with
            every band of the calendar (0 without data).
        """
        if isinstance(calendar, models.BaseModel):
            calendar = calendar._to_meterkit()
        meters = self.env["meter.meter"].browse(meter_ids).exists()
        bands = self.env["meter.consumption"]._interval_bands(
            meters, [(start, end)], calendar, registers
        )
        empty = dict.fromkeys(calendar.bands, Decimal(0))
        return {
            meter_id: bands.get((meter_id, start, end), dict(empty))
            for meter_id in meter_ids
        }

    @api.model
    def _max_demand(self, meter_ids, start, end, interval_minutes=15, registers=None):
        """Maximum demand (kW) of each meter over ``[start, end)`` (naive UTC),
        the registers summed per interval: ``{meter_id: Decimal}``; meters
        without data are absent."""
        meters = self.env["meter.meter"].browse(meter_ids).exists()
        peaks = self.env["meter.consumption"]._interval_peaks(
            meters, [(start, end)], interval_minutes, registers
        )
        return {meter_id: peak for (meter_id, _t0, _t1), peak in peaks.items()}

    @api.model
    def _coincident_max_demand(
        self, meter_ids, start, end, interval_minutes=15, registers=None
    ):
        """Maximum demand (kW) of the meters together (feeders of one
        connection summed per interval) over ``[start, end)`` (naive UTC);
        ``Decimal(0)`` without data."""
        meters = self.env["meter.meter"].browse(meter_ids).exists()
        peaks = self.env["meter.consumption"]._coincident_peaks(
            meters, [(start, end)], interval_minutes, registers
        )
        return peaks[(start, end)]


class _RowError(ValueError):
    """A row that cannot be read: ``field`` names the culprit."""

    def __init__(self, field, value):
        super().__init__(field)
        self.field = field
        self.value = str(value)[:80]


def _interval_chunks(rows, errors, line_numbers=None):
    """COPY text of ``rows`` in chunks of ``(text, count)``; unreadable rows go
    to ``errors`` as ``(line, field, value)`` and are left out. Pure Python: it
    runs in the COPY writer thread."""
    if line_numbers is None:
        numbered = zip(count(1), rows)  # noqa: B905 - count() never ends
    else:
        numbered = zip(line_numbers, rows, strict=True)
    lines = []
    for line, row in numbered:
        try:
            lines.append(_copy_line(line, row))
        except _RowError as error:
            errors.append((line, error.field, error.value))
        if len(lines) >= CHUNK_ROWS:
            yield "".join(lines), len(lines)
            lines = []
    if lines:
        yield "".join(lines), len(lines)


def _copy_line(line, row):
    """One COPY line of a row; the common types (int, datetime, str or Decimal
    value) take a fast path, anything else is converted or refused."""
    try:
        meter_id, register, start, value = row
    except (TypeError, ValueError):
        raise _RowError("row", row) from None
    if type(meter_id) is not int:
        meter_id = _meter_id(meter_id)
    if register not in REGISTER_CODES:
        raise _RowError("register", register)
    if type(start) is not datetime or start.tzinfo is not None:
        start = _naive_utc(start)
    if type(value) is not str or not _PLAIN_NUMBER.fullmatch(value):
        value = _number(value)
    return f"{line}\t{meter_id}\t{register}\t{start}\t{value}\n"


def _meter_id(meter_id):
    try:
        if isinstance(meter_id, (bool, float)):
            raise ValueError
        return int(str(meter_id))
    except ValueError:
        raise _RowError("meter_id", meter_id) from None


def _naive_utc(start):
    try:
        if isinstance(start, str):
            start = datetime.fromisoformat(start)
        if not isinstance(start, datetime):
            raise ValueError
    except ValueError:
        raise _RowError("start", start) from None
    if start.tzinfo is not None:
        start = start.astimezone(UTC).replace(tzinfo=None)
    return start


def _number(value):
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        number = Decimal(str(value))
        if not number.is_finite() or number < 0:
            raise InvalidOperation
    except InvalidOperation:
        raise _RowError("value", value) from None
    return number
