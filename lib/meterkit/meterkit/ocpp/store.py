# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Durable state of the central system (SQLite, one file).

- ``outbox``: every event for Odoo, keyed by its idempotency key (the same
  event queued twice is stored once), sent in order, kept until Odoo answered;
- ``txn``: transactions per charge point (the 1.6 transaction ids this central
  system hands out, start and last meter value, stop), so a StopTransaction
  after a reconnect, or a second one, finds its session;
- ``command``: commands from Odoo already executed (never twice).
"""

import json
import sqlite3
import time

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    queued_at REAL NOT NULL,
    sent_at REAL,
    result TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (id) WHERE sent_at IS NULL;
CREATE TABLE IF NOT EXISTS txn (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    charge_point TEXT NOT NULL,
    transaction_id TEXT,
    connector INTEGER,
    token TEXT,
    started_at TEXT,
    meter_start_wh REAL,
    last_wh REAL,
    stopped_at TEXT,
    UNIQUE (charge_point, transaction_id),
    UNIQUE (charge_point, connector, started_at)
);
CREATE TABLE IF NOT EXISTS command (
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    done_at REAL NOT NULL
);
"""


class Store:
    """The central system's SQLite file (``":memory:"`` for tests)."""

    def __init__(self, path):
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)

    def close(self):
        self.db.close()

    # outbox ---------------------------------------------------------------

    def enqueue(self, key, event):
        """Queue ``event`` under ``key``; False if that key was queued before."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO outbox (key, body, queued_at) VALUES (?, ?, ?)",
            (key, json.dumps({**event, "key": key}), time.time()),
        )
        return cursor.rowcount == 1

    def pending(self, limit=200):
        """``[(row id, event)]`` not yet answered by Odoo, oldest first."""
        rows = self.db.execute(
            "SELECT id, body FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?",
            (limit,),
        ).fetchall()
        return [(row_id, json.loads(body)) for row_id, body in rows]

    def mark_sent(self, answered):
        """Record Odoo's answer ``{row id: result dict}``."""
        now = time.time()
        self.db.executemany(
            "UPDATE outbox SET sent_at = ?, result = ? WHERE id = ?",
            [(now, json.dumps(result), row_id) for row_id, result in answered.items()],
        )

    def pending_count(self):
        return self.db.execute(
            "SELECT count(*) FROM outbox WHERE sent_at IS NULL"
        ).fetchone()[0]

    def purge(self, older_than):
        """Forget answered events sent before ``older_than`` (epoch seconds)."""
        self.db.execute(
            "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?",
            (older_than,),
        )

    # transactions ---------------------------------------------------------

    def start_transaction(self, charge_point, connector, token, started_at, wh, tid):
        """``(transaction id, new)``: the transaction started on ``connector``
        at ``started_at``; a repeated start (a charge point that did not get
        the answer) gets the id handed out the first time. ``tid`` None: a 1.6
        start, the id is assigned here."""
        if tid is None:
            row = self.db.execute(
                "SELECT transaction_id FROM txn WHERE charge_point = ? "
                "AND connector = ? AND started_at = ?",
                (charge_point, connector, started_at),
            ).fetchone()
        else:
            row = self.db.execute(
                "SELECT transaction_id FROM txn WHERE charge_point = ? "
                "AND transaction_id = ?",
                (charge_point, tid),
            ).fetchone()
        if row:
            return row[0], False
        cursor = self.db.execute(
            "INSERT INTO txn (charge_point, transaction_id, connector, token, "
            "started_at, meter_start_wh, last_wh) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (charge_point, tid, connector, token, started_at, wh, wh),
        )
        if tid is None:
            tid = str(cursor.lastrowid)
            self.db.execute(
                "UPDATE txn SET transaction_id = ? WHERE id = ?",
                (tid, cursor.lastrowid),
            )
        return tid, True

    def transaction(self, charge_point, tid):
        """The transaction as a dict, or None."""
        cursor = self.db.execute(
            "SELECT * FROM txn WHERE charge_point = ? AND transaction_id = ?",
            (charge_point, str(tid)),
        )
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cursor.description], row, strict=True))

    def open_transaction(self, charge_point, connector):
        """Transaction id still running on ``connector``, or None."""
        row = self.db.execute(
            "SELECT transaction_id FROM txn WHERE charge_point = ? AND connector = ? "
            "AND stopped_at IS NULL ORDER BY id DESC LIMIT 1",
            (charge_point, connector),
        ).fetchone()
        return row[0] if row else None

    def advance(self, charge_point, tid, wh):
        """Record meter value ``wh``; False when it goes backwards."""
        cursor = self.db.execute(
            "UPDATE txn SET last_wh = ? WHERE charge_point = ? AND transaction_id = ? "
            "AND (last_wh IS NULL OR last_wh <= ?)",
            (wh, charge_point, str(tid), wh),
        )
        return cursor.rowcount == 1

    def stop_transaction(self, charge_point, tid, stopped_at):
        """Mark stopped; False if it was already (a duplicate stop)."""
        cursor = self.db.execute(
            "UPDATE txn SET stopped_at = ? WHERE charge_point = ? "
            "AND transaction_id = ? AND stopped_at IS NULL",
            (stopped_at, charge_point, str(tid)),
        )
        return cursor.rowcount == 1

    # commands -------------------------------------------------------------

    def command_done(self, command_id):
        row = self.db.execute(
            "SELECT status FROM command WHERE id = ?", (command_id,)
        ).fetchone()
        return row[0] if row else None

    def record_command(self, command_id, status):
        self.db.execute(
            "INSERT OR IGNORE INTO command (id, status, done_at) VALUES (?, ?, ?)",
            (command_id, status, time.time()),
        )
