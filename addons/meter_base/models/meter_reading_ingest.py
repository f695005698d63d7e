# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import contextlib
import queue
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import psycopg2
from meterkit import (
    MeterRules,
    ReadingError,
    admission_error,
    as_decimal,
    chain_consumption,
    codes,
    truncate_counter,
)
from meterkit.exchange import settle_chain

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .meter_meter import LIVE_STATES

ON_ERROR = ("raise", "skip")

COPY_COLUMNS = (
    "meter_id, register, read_at, value, consumption, evidence, source, state, "
    "is_rollover, "
    "is_opening, is_closing, author_id, resource_id, unit_id, building_id, site_id, "
    "company_id, create_uid, create_date, write_uid, write_date"
)
MAX_SHOWN = 20
NULL = "\\N"
AUTOMATED_SOURCES = ("gateway", "api")
# COPY text format: these characters are written as escapes.
COPY_ESCAPES = str.maketrans({"\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": ""})


class MeterReadingIngest(models.AbstractModel):
    """The set-wise ingestion path of readings (imports, gateways, the API).

    Rows are checked in Python against the meters (loaded once, locked against
    deletion), grouped per meter register, de-duplicated against the batch and
    the stored readings (a replay stores nothing: invariant 1), given their
    consumption by meterkit, and written with one ``COPY``. Readings landing
    between stored ones make the later stored readings recomputed. By default
    all or nothing: a bad row raises a ValidationError naming the rows, and
    nothing is written. With ``on_error="skip"`` the valid rows are stored and
    every other row gets its own result and stable code.
    """

    _name = "meter.reading.ingest"
    _description = "Readings Bulk Ingestion"

    @api.model
    def _ingest(self, rows, source="import", on_error="raise", truncate=False):
        """Store ``rows`` of ``(meter_id, register, read_at, value)``.

        ``read_at`` is a naive UTC datetime or an ISO string; ``value`` a
        number or a numeric string. A row may carry a fifth item, the
        reading's evidence (e.g. ``"readings.xml, line 12"``, a raw frame).
        ``source`` is a reading source (``import``, ``gateway``, ``api``...).

        ``truncate``: values are counters read from a device; they are cut to
        the decimals the meter's rules accept, as the meter's display shows
        them (never rounded up), before any check.

        ``on_error="raise"`` (default): all or nothing.
        ``on_error="skip"``: valid rows are stored, bad rows are reported; a
        replay of a stored reading (same meter, register, instant and value) is
        a duplicate, another value at a stored instant is rejected with code
        ``conflicting_value``.

        :return: ``{"created": n, "duplicates": n}``; with ``skip`` also
            ``"rejected": [{"index", "code", "message"}]`` and ``"items"``, one
            ``{"index", "status"}`` per row (status ``created``, ``duplicate``
            or ``rejected``, then with ``code`` and ``message``); ``index`` is
            the row's 0-based position in ``rows``.
        :raise ValidationError: (``raise``) listing up to 20 bad rows; nothing
            is stored.
        """
        self._check_ingest_call(source, on_error)
        self.env["meter.reading"].flush_model()
        outcome = _Outcome(self, skip=on_error == "skip")
        evidence = {}
        parsed = self._parse_rows(rows, outcome, evidence)
        meters = self._load_meters({row[1] for row in parsed}, outcome)
        if outcome.skip:
            parsed = outcome.keep_known(parsed, meters)
        if truncate:
            parsed = self._as_displayed(parsed, meters)
        chains, duplicates = self._group_chains(parsed, meters, outcome)
        stored = self._fetch_stored(chains)
        duplicates += self._drop_stored(chains, stored, meters, outcome)
        created = self._store_chains(chains, stored, meters, source, evidence, outcome)
        self._refresh_statistics(created)
        if outcome.skip:
            return outcome.result(len(rows), created, duplicates)
        return {"created": created, "duplicates": duplicates}

    def _check_ingest_call(self, source, on_error):
        """The user may create readings; ``source`` and ``on_error`` are known."""
        if on_error not in ON_ERROR:
            raise ValueError(f"on_error must be one of {ON_ERROR}, not {on_error!r}")
        self.env["meter.reading"].check_access("create")
        if source not in dict(self.env["meter.reading"]._fields["source"].selection):
            raise ValidationError(self.env._("Unknown reading source %r.", source))

    def _store_chains(self, chains, stored, meters, source, evidence, outcome):
        """COPY the new readings of ``chains`` in a savepoint, then recompute
        the consumption of stored readings they precede and the meters' last
        reading. Returns how many readings were created."""
        errors = []
        with self.env.cr.savepoint():
            # Rows are checked and formatted while PostgreSQL writes the
            # previous ones; a bad row found on the way undoes the whole COPY
            # (or, when skipping, is left out of it).
            plans = self._prepare_plans(chains, stored, meters, source, evidence)
            created = self._copy(_formatted_chunks(plans, errors, outcome.skip))
            outcome.bad_rows(errors)
            overlapping = {
                key: rows_[0][0] for key, rows_ in chains.items() if stored[key][1]
            }
            self.env["meter.reading"].invalidate_model()
            if overlapping:
                self.env["meter.reading"]._recompute_consumption(overlapping)
            self.env["meter.meter"]._refresh_last_read({key[0] for key in chains})
        return created

    def _refresh_statistics(self, created):
        """After a load that at least doubles the table, refresh the planner's
        statistics so that the next look-ups use the indexes (autovacuum would
        only do it after the commit)."""
        if created < 100_000:
            return
        estimate = self.env.execute_query(
            SQL("SELECT reltuples FROM pg_class WHERE relname = 'meter_reading'")
        )[0][0]
        if created > estimate:
            self.env.cr.execute(SQL("ANALYZE meter_reading"))

    # ------------------------------------------------------------
    # CHECKS
    # ------------------------------------------------------------

    def _parse_rows(self, rows, outcome, evidence):
        """Typed rows ``(line, meter_id, register, read_at, value)``; the
        evidence of a row goes to ``evidence[line]``, escaped for COPY."""
        parsed, errors = [], []
        for line, row in enumerate(rows, start=1):
            try:
                meter_id, register, read_at, value, *extra = row
                if extra:
                    if len(extra) > 1 or not isinstance(extra[0], str | None):
                        raise ValueError("the fifth item must be the evidence text")
                    if text := extra[0]:
                        text = text.replace("\\", "\\\\")
                        if not text.isprintable():
                            text = text.translate(COPY_ESCAPES)
                        evidence[line] = text
                if isinstance(read_at, str):
                    read_at = datetime.fromisoformat(read_at)
                if not isinstance(read_at, datetime) or read_at.tzinfo:
                    raise ValueError("read_at")
                if type(value) is not Decimal:
                    value = Decimal(str(value))
                if not value.is_finite():
                    raise InvalidOperation
                parsed.append((line, int(meter_id), register, read_at, value))
            except (ValueError, TypeError, InvalidOperation) as error:
                errors.append((line, repr(row)[:80], codes.NOT_PARSABLE, str(error)))
        outcome.bad_rows(errors)
        return parsed

    def _load_meters(self, meter_ids, outcome):
        """Meters readable by the user, locked while we write."""
        meters = self.env["meter.meter"].search([("id", "in", list(meter_ids))])
        unknown = meter_ids - set(meters.ids)
        if unknown and not outcome.skip:
            raise ValidationError(
                self.env._(
                    "Unknown meters or meters outside your sites: %s. Check the "
                    "meter identifiers, or ask a manager for access to their sites.",
                    ", ".join(map(str, sorted(unknown)[:MAX_SHOWN])),
                )
            )
        if meters:
            # Lock the meters (in id order, against deadlocks) before reading
            # their chains: a concurrent writer of the same meters waits, then
            # fails with a serialization error and is retried, and so sees
            # what this one stored (a replay becomes a duplicate, never a
            # unique-index error).
            self.env.execute_query(
                SQL(
                    "SELECT id FROM meter_meter WHERE id IN %s "
                    "ORDER BY id FOR NO KEY UPDATE",
                    tuple(meters.ids),
                )
            )
        return {meter.id: meter for meter in meters}

    def _as_displayed(self, parsed, meters):
        """Parsed rows with their value truncated to the decimals the meter's
        rules accept (the resource's when the rules set none)."""
        decimals = {}
        for meter in meters.values():
            allowed = meter._reading_rules(skip_window=True).decimals
            decimals[meter.id] = (
                meter.resource_id.decimals if allowed is None else allowed
            )
        return [
            (
                line,
                meter_id,
                register,
                read_at,
                truncate_counter(value, decimals[meter_id]),
            )
            if meter_id in decimals and value >= 0
            else (line, meter_id, register, read_at, value)
            for line, meter_id, register, read_at, value in parsed
        ]

    def _row_text(self, meter_name, read_at, value):
        return self.env._(
            "meter %(meter)s at %(at)s, value %(value)s",
            meter=meter_name,
            at=read_at,
            value=value,
        )

    def _raise_bad_rows(self, errors):
        if not errors:
            return
        lines = [
            self.env._(
                "row %(line)s, %(row)s: %(code)s",
                line=error[0],
                row=self._error_row_text(error),
                code=f"{error[2]} ({error[3]})" if len(error) > 3 else error[2],
            )
            for error in sorted(errors, key=lambda e: e[0])[:MAX_SHOWN]
        ]
        raise ValidationError(
            self.env._(
                "%(count)s bad reading row(s); nothing was stored:\n%(lines)s",
                count=len(errors),
                lines="\n".join(lines),
            )
        )

    def _error_row_text(self, error):
        row = error[1]
        return row if isinstance(row, str) else self._row_text(*row)

    def _code_messages(self):
        """The user's words for each per-row result code."""
        return {
            codes.NOT_PARSABLE: self.env._(
                "the row is not (meter, register, instant, value) of the right types"
            ),
            codes.UNKNOWN_METER: self.env._(
                "unknown meter, or a meter outside your sites"
            ),
            codes.CONFLICTING_VALUE: self.env._(
                "another value is already stored at this instant"
            ),
            codes.CONFLICTING_DUPLICATE: self.env._(
                "the batch holds another value at this instant"
            ),
            codes.NEGATIVE_CONSUMPTION: self.env._(
                "lower than the previous reading and no rollover or replacement"
            ),
            codes.NEGATIVE_VALUE: self.env._("a reading cannot be negative"),
            codes.VIRTUAL_METER: self.env._("a virtual meter takes no readings"),
            codes.CLOSED_SITE: self.env._("the meter's site is closed"),
            codes.ARCHIVED_METER: self.env._("the meter is archived"),
            codes.BAD_REGISTER: self.env._("the meter has no such register"),
            codes.BEFORE_COMMISSIONING: self.env._(
                "before the meter's commissioning date"
            ),
            codes.ABOVE_ROLLOVER: self.env._("not below the meter's rollover value"),
            codes.TOO_MANY_DECIMALS: self.env._(
                "more decimals than the resource allows"
            ),
            codes.NOT_INTEGER: self.env._("the resource takes whole numbers only"),
        }

    # ------------------------------------------------------------
    # CHAINS
    # ------------------------------------------------------------

    def _group_chains(self, parsed, meters, outcome):
        """{(meter_id, register): [(read_at, value, line)]} in time order, with
        repeated rows of the batch dropped (a different value is an error; when
        skipping, the first row of an instant wins)."""
        chains = defaultdict(list)
        for line, meter_id, register, read_at, value in parsed:
            chains[(meter_id, register)].append((read_at, value, line))
        duplicates, errors = 0, []
        for key, rows in chains.items():
            rows.sort(key=lambda r: (r[0], r[2]))
            kept = [rows[0]]
            for row in rows[1:]:
                if row[0] != kept[-1][0]:
                    kept.append(row)
                elif row[1] == kept[-1][1]:
                    duplicates += 1
                    outcome.duplicate_lines.append(row[2])
                else:
                    text = (meters[key[0]].name, row[0], row[1])
                    errors.append((row[2], text, codes.CONFLICTING_DUPLICATE))
            chains[key] = kept
        outcome.bad_rows(errors)
        return chains, duplicates

    def _fetch_stored(self, chains):
        """{chain: (value before the batch, {read_at: value} at or after it)}."""
        if not chains:
            return {}
        values = SQL(", ").join(
            SQL("(%s, %s, %s::timestamp)", key[0], key[1], rows[0][0])
            for key, rows in chains.items()
        )
        rows = self.env.execute_query(
            SQL(
                """
                WITH c(meter_id, register, start) AS (VALUES %(values)s)
                SELECT c.meter_id, c.register,
                       (SELECT r.value FROM meter_reading r
                         WHERE r.meter_id = c.meter_id AND r.register = c.register
                           AND r.state IN %(live)s AND r.read_at < c.start
                         ORDER BY r.read_at DESC LIMIT 1),
                       EXISTS (SELECT 1 FROM meter_reading r
                                WHERE r.meter_id = c.meter_id
                                  AND r.register = c.register
                                  AND r.state IN %(live)s AND r.read_at >= c.start)
                  FROM c
                """,
                values=values,
                live=LIVE_STATES,
            )
        )
        stored = {
            (m, reg): (None if prev is None else as_decimal(prev), later)
            for m, reg, prev, later in rows
        }
        return self._fetch_later(chains, stored)

    def _fetch_later(self, chains, stored):
        later_keys = [key for key, (_prev, later) in stored.items() if later]
        result = {key: (prev, {}) for key, (prev, _later) in stored.items()}
        if not later_keys:
            return result
        values = SQL(", ").join(
            SQL("(%s, %s, %s::timestamp)", key[0], key[1], chains[key][0][0])
            for key in later_keys
        )
        rows = self.env.execute_query(
            SQL(
                """
                WITH c(meter_id, register, start) AS (VALUES %(values)s)
                SELECT r.meter_id, r.register, r.read_at, r.value
                  FROM meter_reading r
                  JOIN c ON c.meter_id = r.meter_id AND c.register = r.register
                 WHERE r.state IN %(live)s AND r.read_at >= c.start
                """,
                values=values,
                live=LIVE_STATES,
            )
        )
        for meter_id, register, read_at, value in rows:
            result[(meter_id, register)][1][read_at] = as_decimal(value)
        return result

    def _drop_stored(self, chains, stored, meters, outcome):
        """Drop rows already stored with the same value; a different value at a
        stored instant is an error."""
        duplicates, errors = 0, []
        for key, rows in chains.items():
            later = stored[key][1]
            if not later:
                continue
            kept = []
            for read_at, value, line in rows:
                if read_at not in later:
                    kept.append((read_at, value, line))
                elif later[read_at] == value:
                    duplicates += 1
                    outcome.duplicate_lines.append(line)
                else:
                    text = (meters[key[0]].name, read_at, value)
                    errors.append((line, text, codes.CONFLICTING_VALUE))
            chains[key] = kept
        outcome.bad_rows(errors)
        for key in [key for key, rows in chains.items() if not rows]:
            del chains[key]
        return duplicates

    # ------------------------------------------------------------
    # WRITE
    # ------------------------------------------------------------

    def _prepare_plans(self, chains, stored, meters, source, evidence):
        """Plain data per chain for the COPY writer (no ORM access after this)."""
        uid = self.env.uid
        now = self.env.cr.now()
        # The submission window governs what people submit; meters read by
        # gateways and other systems are taken whenever they are read.
        skip_window = source in AUTOMATED_SOURCES
        rules = {
            key: meter._reading_rules(skip_window=skip_window)
            for key, meter in meters.items()
        }
        plans = []
        for (meter_id, register), rows in chains.items():
            meter = meters[meter_id]
            fixed = "\t".join(
                str(v)
                for v in (
                    source,
                    "valid",
                    "f",
                    "f",
                    "f",
                    uid,
                    meter.resource_id.id,
                    meter.unit_id.id or NULL,
                    meter.building_id.id or NULL,
                    meter.site_id.id,
                    meter.company_id.id,
                    uid,
                    now,
                    uid,
                    now,
                )
            )
            plans.append(
                _ChainPlan(
                    meter_name=meter.name,
                    register=register,
                    rules=rules[meter_id],
                    previous=stored[(meter_id, register)][0],
                    later=stored[(meter_id, register)][1],
                    multiplier=as_decimal(meter.multiplier or 1),
                    rows=rows,
                    head=f"{meter_id}\t{register}\t",
                    evidence=evidence,
                    tail=f"\t{fixed}\n",
                )
            )
        return plans

    def _copy(self, chunks):
        """One streamed COPY into meter_reading; return the number of rows.

        As a database superuser, foreign-key triggers are skipped for this
        statement: every reference written was read from the locked meter rows
        or is the current user, so the checks could not fail. Otherwise
        PostgreSQL checks them as usual.
        """
        cr = self.env.cr
        fast = (
            not self.env.context.get("meter_ingest_check_fk")
            and (
                self.env.execute_query(
                    SQL("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                )[0][0]
            )
        )
        if fast:
            cr.execute(SQL("SET LOCAL session_replication_role = replica"))
        stream = _ChunkReader(chunks)
        try:
            cr.copy_expert(
                f"COPY meter_reading ({COPY_COLUMNS}) FROM STDIN", stream, size=1 << 18
            )
        except psycopg2.Error as error:
            # psycopg2 reports a failing read() as a cancelled COPY: give the
            # caller the writer's own error instead.
            if stream.error:
                raise stream.error from error
            raise
        finally:
            stream.close()
        # On an error, rolling back the caller's savepoint also undoes SET LOCAL.
        if fast:
            cr.execute(SQL("SET LOCAL session_replication_role = DEFAULT"))
        return stream.rows


@dataclass(frozen=True)
class _ChainPlan:
    """Plain data of one register chain for the writer thread."""

    meter_name: str
    register: str
    rules: MeterRules
    previous: Decimal | None  # last stored value before the chain, if any
    later: dict  # {read_at: value} stored at or after the chain's start
    multiplier: Decimal
    rows: list  # [(read_at, value, line)] in time order
    head: str  # COPY text before read_at
    evidence: dict  # {line: COPY-escaped evidence text}, for the rows having one
    tail: str  # COPY text after consumption


def _formatted_chunks(plans, errors, skip=False):
    """COPY text of each chain, checked and given its consumption by meterkit;
    bad rows go to ``errors`` (and, with ``skip``, only they are left out of
    the COPY). Pure Python: it runs in the writer thread."""
    for plan in plans:
        rows = plan.rows
        bad = [
            (line, (plan.meter_name, read_at, value), code)
            for read_at, value, line in rows
            if (code := admission_error(plan.rules, plan.register, read_at, value))
        ]
        if bad:
            errors.extend(bad)
            if not skip:
                continue
            bad_lines = {error[0] for error in bad}
            rows = [row for row in rows if row[2] not in bad_lines]
        if skip:
            pairs = _settled(plan, rows, errors)
        else:
            try:
                consumptions = chain_consumption(
                    plan.previous, [row[1] for row in rows], multiplier=plan.multiplier
                )
            except ReadingError as error:
                read_at, value, line = rows[error.row]
                errors.append((line, (plan.meter_name, read_at, value), error.code))
                continue
            pairs = list(zip(rows, consumptions, strict=True))
        if not pairs:
            continue
        evidence = plan.evidence
        yield (
            "".join(
                f"{plan.head}{read_at}\t{value}\t{cons}\t{evidence.get(line, NULL)}"
                f"{plan.tail}"
                for (read_at, value, line), cons in pairs
            ),
            len(pairs),
        )


def _settled(plan, rows, errors):
    """The rows of a chain that keep it non-decreasing, with their consumption;
    the others go to ``errors``."""
    kept, rejected = settle_chain(
        plan.previous,
        [(read_at, value) for read_at, value, _line in rows],
        sorted(plan.later.items()),
        multiplier=plan.multiplier,
    )
    for position, code in rejected:
        read_at, value, line = rows[position]
        errors.append((line, (plan.meter_name, read_at, value), code))
    return [(rows[position], cons) for position, cons in kept]


class _Outcome:
    """Per-row results of one ingestion: raises at the first bad stage
    (``raise``) or collects every bad row (``skip``)."""

    def __init__(self, ingest, skip):
        self.ingest = ingest
        self.skip = skip
        self.rejected = []  # (line, row or text, code[, detail])
        self.duplicate_lines = []

    def bad_rows(self, errors):
        if self.skip:
            self.rejected.extend(errors)
        else:
            self.ingest._raise_bad_rows(errors)

    def keep_known(self, parsed, meters):
        """Rows of known meters; the others are rejected as unknown."""
        kept = []
        for row in parsed:
            if row[1] in meters:
                kept.append(row)
            else:
                text = (f"#{row[1]}", row[3], row[4])
                self.rejected.append((row[0], text, codes.UNKNOWN_METER))
        return kept

    def result(self, count, created, duplicates):
        ingest = self.ingest
        messages = ingest._code_messages()
        items = [{"index": index, "status": "created"} for index in range(count)]
        for line in self.duplicate_lines:
            items[line - 1]["status"] = "duplicate"
        rejected = []
        for error in sorted(self.rejected, key=lambda e: e[0]):
            code = error[2]
            message = ingest.env._(
                "row %(line)s, %(row)s: %(message)s",
                line=error[0],
                row=ingest._error_row_text(error),
                message=messages.get(code) or codes.DESCRIPTIONS.get(code, code),
            )
            if len(error) > 3:
                message = f"{message} ({error[3]})"
            entry = {"index": error[0] - 1, "code": code, "message": message}
            rejected.append(entry)
            items[entry["index"]] = dict(entry, status="rejected")
        return {
            "created": created,
            "duplicates": duplicates,
            "rejected": rejected,
            "items": items,
        }


class _ChunkReader:
    """A read-only file over ``(text, rows)`` chunks for a streamed COPY.

    A writer thread formats the next chunks while psycopg2 sends the previous
    ones (it releases the GIL while waiting on the server), so Python and
    PostgreSQL work at the same time.
    """

    def __init__(self, chunks):
        self._queue = queue.Queue(maxsize=8)
        self._buffer = ""
        self._done = False
        self.error = None
        self._stop = threading.Event()
        self.rows = 0
        self._thread = threading.Thread(
            target=self._produce, args=(chunks,), daemon=True
        )
        self._thread.start()

    def _produce(self, chunks):
        try:
            for chunk in chunks:
                if self._stop.is_set():
                    return
                self._queue.put(chunk)
            self._queue.put(None)
        except Exception as error:  # noqa: BLE001 - handed to the reading thread
            self._queue.put(error)

    def read(self, size=-1):  # pylint: disable=method-required-super
        parts, length = [self._buffer], len(self._buffer)
        while not self._done and (size < 0 or length < size):
            chunk = self._queue.get()
            if chunk is None:
                self._done = True
                break
            if isinstance(chunk, Exception):
                self.error = chunk
                raise chunk
            parts.append(chunk[0])
            length += len(chunk[0])
            self.rows += chunk[1]
        data = "".join(parts)
        if size < 0:
            self._buffer = ""
            return data
        self._buffer = data[size:]
        return data[:size]

    def close(self):
        self._stop.set()
        while self._thread.is_alive():
            # Drain so that a producer blocked on a full queue sees the stop.
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=0.1)
        self._thread.join()
