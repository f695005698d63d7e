#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the daily prepaid deduction (meter_billing).

Run by ``./scripts/test bench`` on the test database (meter_billing installed).
Measured side by side in one run, in one database:

* the daily deduction of N open prepaid accounts (one meter with readings
  around the day, a tariff of two components: energy and a monthly fee), in
  batches of 200 accounts as the cron does: tariff valuation of the month to
  date, the difference with what was deducted, one posted journal entry per
  account and day with a line per component, balances and levels updated;
* the baseline: the same journal entries created directly with one batched
  ``account.move.create(vals_list)`` and posted with one ``action_post()``;
* the time from a desk top-up of an account whose supply is off to the relay
  command being queued (the meter's desired supply on and the poll cron
  triggered), when meter_hardware is installed.

Everything is rolled back at the end. Prints accounts/s of both, their ratio
(goal >= 0.80) and the top-up to relay time.
"""

import argparse
import resource
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_billing import ensure_chart, make_portfolio  # noqa: E402

#: the deduction against the bare create + post of the same entries
GOAL = 0.8
DAY = date(2026, 1, 31)
BATCH = 200


def open_accounts(env, site):
    """One open account per billing point of ``site``, opened on DAY with a
    real top-up of 500.00 in cash."""
    points = env["meter.billing.point"].search([("site_id", "=", site.id)])
    accounts = env["meter.prepaid.account"].create(
        [
            {
                "billing_point_id": point.id,
                "partner_id": point.unit_id.occupancy_ids[:1].partner_id.id,
                "alarm1_amount": 50.0,
                "alarm2_amount": 20.0,
                "restore_amount": 50.0,
            }
            for point in points
        ]
    )
    accounts.write({"state": "open", "date_start": DAY})
    cash = env["account.journal"].search(
        [
            ("type", "in", ("cash", "bank")),
            ("company_id", "=", env.company.id),
            ("default_account_id", "!=", False),
        ],
        order="type desc",
        limit=1,
    )
    env["meter.prepaid.move"]._create_posted(
        [
            {
                "account_id": account.id,
                "move_type": "top_up",
                "date": DAY,
                "amount": 500.0,
                "journal_id": cash.id,
            }
            for account in accounts
        ]
    )
    return accounts, cash


def baseline_vals(entries):
    """The deduction entries as plain ``account.move`` values."""
    from odoo.fields import Command

    return [
        {
            "move_type": "entry",
            "journal_id": move.journal_id.id,
            "date": move.date,
            "ref": move.ref,
            "line_ids": [
                Command.create(
                    {
                        "account_id": line.account_id.id,
                        "partner_id": line.partner_id.id,
                        "product_id": line.product_id.id,
                        "name": line.name,
                        "balance": line.balance,
                    }
                )
                for line in move.line_ids
            ],
        }
        for move in entries
    ]


def top_up_to_relay(env, account, cash):
    """Seconds from a desk top-up that restores supply to the relay command
    being queued (None without meter_hardware)."""
    meter = account.meter_ids[:1]
    cron = env.ref("meter_hardware.ir_cron_meter_gateway_poll", False)
    if "supply_desired" not in meter._fields or not cron:
        return None
    account.write({"balance": 5.0, "level": "alarm2", "supply": "off"})
    meter.write({"supply_desired": "off"})
    env.flush_all()
    t0 = time.perf_counter()
    env["meter.prepaid.move"]._create_posted(
        [
            {
                "account_id": account.id,
                "move_type": "top_up",
                "date": DAY,
                "amount": 100.0,
                "journal_id": cash.id,
            }
        ]
    )
    env.flush_all()
    seconds = time.perf_counter() - t0
    queued = env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
    assert meter.supply_desired == "on" and queued, (meter.supply_desired, queued)
    return seconds


def measure(env, count):
    """Set up ``count`` accounts, deduct one day, post the baseline; return
    (setup_s, deduct_s, baseline_s, entries, relay_s)."""
    from odoo.tools import split_every

    ensure_chart(env)
    t0 = time.perf_counter()
    accounts, cash = open_accounts(env, make_portfolio(env, count))
    env.flush_all()
    # the tables of this run only: a bare ANALYZE also takes the shared
    # catalogs and waits for other databases' transactions
    env.cr.execute(
        "ANALYZE meter_reading, meter_billing_point, meter_prepaid_account, "
        "meter_prepaid_move, meter_prepaid_move_line, account_move, "
        "account_move_line"
    )
    setup_s = time.perf_counter() - t0
    env.invalidate_all()
    t0 = time.perf_counter()
    for ids in split_every(BATCH, accounts.ids):
        env["meter.prepaid.account"].browse(ids)._deduct_until(DAY)
        env.flush_all()
    deduct_s = time.perf_counter() - t0
    stopped = accounts.filtered("deduction_error")
    assert not stopped, stopped[:1].deduction_error
    entries = (
        env["meter.prepaid.move"]
        .search([("account_id", "in", accounts.ids), ("move_type", "=", "deduction")])
        .account_move_id
    )
    assert len(entries) == len(accounts), (len(entries), len(accounts))
    vals_list = baseline_vals(entries)
    env.invalidate_all()
    t0 = time.perf_counter()
    baseline = env["account.move"].create(vals_list)
    baseline.action_post()
    env.flush_all()
    baseline_s = time.perf_counter() - t0
    assert round(sum(baseline.mapped("amount_total")), 2) == round(
        sum(entries.mapped("amount_total")), 2
    )
    relay_s = top_up_to_relay(env, accounts[0], cash)
    return setup_s, deduct_s, baseline_s, entries, relay_s


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("--conf", "--db"):
        parser.add_argument(name, required=True)
    parser.add_argument("--accounts", type=int, default=10_000)
    args = parser.parse_args()

    import odoo  # noqa: F401  (Odoo 19 is importable when this runs)
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", args.conf, "-d", args.db])
    with Registry(args.db).cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
        setup_s, deduct_s, baseline_s, entries, relay_s = measure(env, args.accounts)
        cr.rollback()
    count = args.accounts
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"bench prepaid: {count} accounts, one day, 2 components each, "
        f"{len(entries)} journal entries (setup {setup_s:.1f} s)"
    )
    for label, seconds in (
        ("deduction (valuation, entries, balances)", deduct_s),
        ("baseline: account.move create + post", baseline_s),
    ):
        print(f"  {label:<46} {count / seconds:>9,.0f} accounts/s  {seconds:7.2f} s")
    ratio = baseline_s / deduct_s
    verdict = "met" if ratio >= GOAL else "NOT met"
    print(
        f"  {'deduction / baseline':<46} {ratio:>9.2f}  (goal >= {GOAL:.2f}: {verdict})"
    )
    if relay_s is not None:
        print(
            f"  {'paid top-up -> relay command queued':<46} {relay_s * 1000:>9.0f} ms"
        )
    print(f"  {'peak RSS of this process':<46} {peak_mb:>9,.0f} MB")
    return 0 if ratio >= GOAL else 3  # 3: the goal is missed (not a crash)


if __name__ == "__main__":
    raise SystemExit(main())
