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
from meterkit import MeterRules, ReadingError, admission_error, chain_consumption

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .meter_meter import LIVE_STATES

COPY_COLUMNS = (
    "meter_id, register, read_at, value, consumption, source, state, is_rollover, "
    "is_opening, is_closing, author_id, resource_id, unit_id, building_id, site_id, "
    "company_id, create_uid, create_date, write_uid, write_date"
)
MAX_SHOWN = 20
NULL = "\\N"


class MeterReadingIngest(models.AbstractModel):
    """The set-wise ingestion path of readings (imports, gateways, the API).

    Rows are checked in Python against the meters (loaded once, locked against
    deletion), grouped per meter register, de-duplicated against the batch and
    the stored readings (a replay stores nothing: invariant 1), given their
    consumption by meterkit, and written with one ``COPY``. Readings landing
    between stored ones make the later stored readings recomputed. All or
    nothing: a bad row raises a ValidationError naming the rows, and nothing is
    written.
    """

    _name = "meter.reading.ingest"
    _description = "Readings Bulk Ingestion"

    @api.model
    def _ingest(self, rows, source="import"):
        """Store ``rows`` of ``(meter_id, register, read_at, value)``.

        ``read_at`` is a naive UTC datetime or an ISO string; ``value`` a
        number or a numeric string.

        :return: ``{"created": n, "duplicates": n}``
        :raise ValidationError: listing up to 20 bad rows; nothing is stored.
        """
        self.env["meter.reading"].check_access("create")
        if source not in dict(self.env["meter.reading"]._fields["source"].selection):
            raise ValidationError(self.env._("Unknown reading source %r.", source))
        self.env["meter.reading"].flush_model()
        parsed = self._parse_rows(rows)
        meters = self._load_meters({row[1] for row in parsed})
        chains, duplicates = self._group_chains(parsed, meters)
        stored = self._fetch_stored(chains)
        duplicates += self._drop_stored(chains, stored, meters)
        errors = []
        with self.env.cr.savepoint():
            # Rows are checked and formatted while PostgreSQL writes the
            # previous ones; a bad row found on the way undoes the whole COPY.
            plans = self._prepare_plans(chains, stored, meters, source)
            created = self._copy(_formatted_chunks(plans, errors))
            self._raise_bad_rows(errors)
            overlapping = {
                key: rows_[0][0] for key, rows_ in chains.items() if stored[key][1]
            }
            self.env["meter.reading"].invalidate_model()
            if overlapping:
                self.env["meter.reading"]._recompute_consumption(overlapping)
            self.env["meter.meter"]._refresh_last_read({key[0] for key in chains})
        self._refresh_statistics(created)
        return {"created": created, "duplicates": duplicates}

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

    def _parse_rows(self, rows):
        parsed, errors = [], []
        for line, row in enumerate(rows, start=1):
            try:
                meter_id, register, read_at, value = row
                if isinstance(read_at, str):
                    read_at = datetime.fromisoformat(read_at)
                if not isinstance(read_at, datetime) or read_at.tzinfo:
                    raise ValueError("read_at")
                value = Decimal(str(value))
                if not value.is_finite():
                    raise InvalidOperation
                parsed.append((line, int(meter_id), register, read_at, value))
            except (ValueError, TypeError, InvalidOperation) as error:
                errors.append((line, repr(row)[:80], f"not_parsable ({error})"))
        self._raise_bad_rows(errors)
        return parsed

    def _load_meters(self, meter_ids):
        """Meters readable by the user, locked against deletion while we write."""
        meters = self.env["meter.meter"].search([("id", "in", list(meter_ids))])
        unknown = meter_ids - set(meters.ids)
        if unknown:
            raise ValidationError(
                self.env._(
                    "Unknown meters or meters outside your sites: %s",
                    ", ".join(map(str, sorted(unknown)[:MAX_SHOWN])),
                )
            )
        if meters:
            self.env.execute_query(
                SQL(
                    "SELECT id FROM meter_meter WHERE id IN %s FOR KEY SHARE",
                    tuple(meters.ids),
                )
            )
        return {meter.id: meter for meter in meters}

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
                line=line,
                row=row if isinstance(row, str) else self._row_text(*row),
                code=code,
            )
            for line, row, code in sorted(errors, key=lambda e: e[0])[:MAX_SHOWN]
        ]
        raise ValidationError(
            self.env._(
                "%(count)s bad reading row(s); nothing was stored:\n%(lines)s",
                count=len(errors),
                lines="\n".join(lines),
            )
        )

    # ------------------------------------------------------------
    # CHAINS
    # ------------------------------------------------------------

    def _group_chains(self, parsed, meters):
        """{(meter_id, register): [(read_at, value, line)]} in time order, with
        repeated rows of the batch dropped (a different value is an error)."""
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
                else:
                    text = (meters[key[0]].name, row[0], row[1])
                    errors.append((row[2], text, "conflicting_duplicate"))
            chains[key] = kept
        self._raise_bad_rows(errors)
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
            (m, reg): (None if prev is None else Decimal(str(prev)), later)
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
            result[(meter_id, register)][1][read_at] = Decimal(str(value))
        return result

    def _drop_stored(self, chains, stored, meters):
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
                else:
                    text = (meters[key[0]].name, read_at, value)
                    errors.append((line, text, "conflicting_value"))
            chains[key] = kept
        self._raise_bad_rows(errors)
        for key in [key for key, rows in chains.items() if not rows]:
            del chains[key]
        return duplicates

    # ------------------------------------------------------------
    # WRITE
    # ------------------------------------------------------------

    def _prepare_plans(self, chains, stored, meters, source):
        """Plain data per chain for the COPY writer (no ORM access after this)."""
        uid = self.env.uid
        now = self.env.cr.now()
        rules = {key: meter._reading_rules() for key, meter in meters.items()}
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
                    multiplier=Decimal(str(meter.multiplier or 1)),
                    rows=rows,
                    head=f"{meter_id}\t{register}\t",
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
    multiplier: Decimal
    rows: list  # [(read_at, value, line)] in time order
    head: str  # COPY text before read_at
    tail: str  # COPY text after consumption


def _formatted_chunks(plans, errors):
    """COPY text of each chain, checked and given its consumption by meterkit;
    bad rows go to ``errors``. Pure Python: it runs in the writer thread."""
    for plan in plans:
        bad = [
            (line, (plan.meter_name, read_at, value), code)
            for read_at, value, line in plan.rows
            if (code := admission_error(plan.rules, plan.register, read_at, value))
        ]
        if bad:
            errors.extend(bad)
            continue
        try:
            consumptions = chain_consumption(
                plan.previous, [row[1] for row in plan.rows], multiplier=plan.multiplier
            )
        except ReadingError as error:
            read_at, value, line = plan.rows[error.row]
            errors.append((line, (plan.meter_name, read_at, value), error.code))
            continue
        yield (
            "".join(
                f"{plan.head}{read_at}\t{value}\t{cons}{plan.tail}"
                for (read_at, value, _line), cons in zip(
                    plan.rows, consumptions, strict=True
                )
            ),
            len(plan.rows),
        )


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
