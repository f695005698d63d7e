# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL

from .meter_meter import REGISTERS

#: (meter, UTC month) pairs as SQL: ``k(meter_id, month)``
_KEYS = "SELECT * FROM unnest(%s::int[], %s::timestamp[]) AS k(meter_id, month)"


class MeterIntervalPack(models.Model):
    """The interval values of a meter register in one UTC month, packed: a
    derived copy of ``meter_interval`` that reads a year of 15-minute data as
    a few hundred small rows decoded in C, instead of making PostgreSQL
    convert every row (:meth:`meter.consumption._interval_arrays`).

    Never the source of truth: a pack is rebuilt from ``meter_interval`` only,
    for every register of a meter and month at once, and
    - built by :meth:`meter.interval._bulk_load` for the months it loaded
      (the whole month, so a load that adds a few rows is right);
    - marked stale (``seconds`` NULL) by any other write of interval rows
      (``create``, ``write``, ``unlink`` of ``meter.interval``) and rebuilt by
      the next read; a read also builds the months that have rows but no
      pack (data stored before packs existed);
    - deleted with its meter (foreign key cascade).
    A stale mark is a row (not a deletion) so that a reader packing the month
    from an older snapshot collides with it: under REPEATABLE READ one of the
    two transactions then fails to serialize (and is retried) instead of
    storing a pack that misses the write.

    ``seconds`` holds the offsets from ``month`` (big-endian int32, 4 bytes
    each, ascending), ``units`` the values in integers of 0.0001 kWh
    (big-endian int64, 8 bytes each): written and read by SQL only, decoded
    by :func:`meterkit.intervals.place_packed`. Users may read packs (record
    rules of their meters), never write them.
    """

    _name = "meter.interval.pack"
    _description = "Packed Interval Values of a Month"
    _order = "meter_id, month, register"
    _rec_name = "meter_id"
    _log_access = False

    meter_id = fields.Many2one(
        "meter.meter", required=True, ondelete="cascade", readonly=True
    )
    register = fields.Selection(REGISTERS, required=True, readonly=True)
    month = fields.Datetime(
        required=True, readonly=True, help="First instant of the month (UTC)."
    )
    count = fields.Integer(readonly=True, help="Number of values.")
    # raw bytes for SQL (not base64 as Binary fields usually hold): JSON-RPC
    # cannot carry them, hence only for administrators through the ORM
    seconds = fields.Binary(
        attachment=False,
        readonly=True,
        groups="base.group_system",
        help="Offsets from the month (int32).",
    )
    units = fields.Binary(
        attachment=False,
        readonly=True,
        groups="base.group_system",
        help="Values in 0.0001 kWh (int64).",
    )

    _once_per_month = models.UniqueIndex(
        "(meter_id, month, register)",
        "A meter register has only one pack per month.",
    )

    # ------------------------------------------------------------
    # BUILD (SQL only: packs are never written through the ORM)
    # ------------------------------------------------------------

    def _build(self, keys):
        """Rebuild the packs of every register of the ``(meter_id, month)``
        pairs of ``keys`` (an SQL text selecting ``k(meter_id, month)``, UTC
        months) from ``meter_interval``: the old packs (valid or stale) are
        deleted, one pack is inserted per register with values. One small
        aggregation per meter and month (a lateral join on the (meter,
        start) index): about twice as fast as one sort of all the rows."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                WITH k AS MATERIALIZED (%s)
                DELETE FROM meter_interval_pack p USING k
                 WHERE p.meter_id = k.meter_id AND p.month = k.month
                """,
                keys,
            )
        )
        cr.execute(
            SQL(
                """
                WITH k AS MATERIALIZED (%s)
                INSERT INTO meter_interval_pack
                       (meter_id, register, month, count, seconds, units)
                SELECT k.meter_id, p.register, k.month, p.n, p.seconds, p.units
                  FROM k CROSS JOIN LATERAL (
                       SELECT i.register, count(*) AS n,
                              string_agg(int4send((date_part('epoch', i.start)
                                         - date_part('epoch', k.month))::int),
                                         ''::bytea ORDER BY i.start) AS seconds,
                              string_agg(int8send((i.value * 10000)::bigint),
                                         ''::bytea ORDER BY i.start) AS units
                         FROM meter_interval i
                        WHERE i.meter_id = k.meter_id AND i.start >= k.month
                          AND i.start < k.month + interval '1 month'
                     GROUP BY i.register) p
                """,
                keys,
            )
        )

    def _build_loaded(self, load_table):
        """Rebuild the packs of the months of ``load_table`` (the staging table
        of :meth:`meter.interval._bulk_load`)."""
        keys = self.env.execute_query(
            SQL(
                "SELECT DISTINCT meter_id, date_trunc('month', start) FROM %s",
                SQL.identifier(load_table),
            )
        )
        self._build_keys(keys)

    def _build_keys(self, keys):
        """Rebuild the packs of ``keys``, ``[(meter_id, month)]``."""
        if keys:
            self._build(SQL(_KEYS, [k[0] for k in keys], [k[1] for k in keys]))

    def _invalidate(self, interval_ids):
        """Mark stale the packs of the months of the interval rows
        ``interval_ids`` (stale marks are inserted where no pack exists)."""
        if not interval_ids:
            return
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO meter_interval_pack (meter_id, register, month)
                SELECT DISTINCT meter_id, register, date_trunc('month', start)
                  FROM meter_interval WHERE id IN %s
                    ON CONFLICT (meter_id, month, register)
                    DO UPDATE SET count = NULL, seconds = NULL, units = NULL
                """,
                tuple(interval_ids),
            )
        )

    def _refresh(self, meter_ids, start, end):
        """Build the packs that a read of ``meter_ids`` on ``[start, end)``
        (naive UTC) needs: the months with a stale pack, and the months with
        interval rows but no pack (one index probe per meter and month)."""
        months = _months(start, end)
        pairs = [(m, month) for m in meter_ids for month in months]
        stale = SQL(
            """
            SELECT k.meter_id, k.month FROM (%s) k
             WHERE EXISTS (SELECT 1 FROM meter_interval_pack p
                            WHERE p.meter_id = k.meter_id AND p.month = k.month
                              AND p.seconds IS NULL)
                OR (NOT EXISTS (SELECT 1 FROM meter_interval_pack p
                                 WHERE p.meter_id = k.meter_id
                                   AND p.month = k.month)
                    AND EXISTS (SELECT 1 FROM meter_interval i
                                 WHERE i.meter_id = k.meter_id
                                   AND i.start >= k.month
                                   AND i.start < k.month + interval '1 month'))
            """,
            SQL(_KEYS, [p[0] for p in pairs], [p[1] for p in pairs]),
        )
        self._build_keys(self.env.execute_query(stale))

    def _fetch(self, meter_ids, start, end):
        """The packs of ``meter_ids`` overlapping ``[start, end)``: rows of
        ``(meter_id, register, month, seconds, units)``."""
        return self.env.execute_query(
            SQL(
                """
                SELECT meter_id, register, month, seconds, units
                  FROM meter_interval_pack
                 WHERE meter_id IN %s AND month >= date_trunc('month', %s::timestamp)
                   AND month < %s AND seconds IS NOT NULL
                """,
                tuple(meter_ids),
                start,
                end,
            )
        )


def _months(start, end):
    """The first instants of the UTC months overlapping ``[start, end)``."""
    month = start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    months = []
    while month < end:
        months.append(month)
        month = month.replace(
            year=month.year + month.month // 12, month=month.month % 12 + 1
        )
    return months
