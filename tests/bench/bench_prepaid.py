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
* the baseline: the same journal entries (the same values: accounts,
  partners, products, labels, amounts, analytic distribution and taxes)
  created directly with one batched ``account.move.create(vals_list)`` and
  posted with one ``action_post()`` per batch, with Odoo's batch context
  (``tracking_disable``);
* the time from a desk top-up of an account whose supply is off to the relay
  command being queued (the meter's desired supply on and the poll cron
  triggered), when meter_hardware is installed.

For a fair comparison both sides first run once untimed on a small warm-up
batch, then alternate batch by batch (deduction of a batch, baseline of its
entries), each from an empty record cache. The accounts are opened in bulk:
one opening entry per 500 accounts instead of one top-up entry each.

Everything is rolled back at the end. Prints accounts/s of both, their ratio
(goal >= 0.80), the top-up to relay time and the load average of the machine
(shared: the ratio is meaningful, absolute times are not).
"""

import argparse
import cProfile
import os
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
#: accounts deducted (and their entries re-created) untimed before measuring
WARM_UP = 20
#: accounts per opening entry of the set-up
OPENING_CHUNK = 500
TOP_UP = 500.0


def open_accounts(env, site):
    """One open account per billing point of ``site``, opened on DAY with
    500.00 in cash: in bulk, one opening entry per OPENING_CHUNK accounts
    (cash debited, each occupant's prepayment credited) and a top-up move per
    account on it."""
    from odoo.fields import Command
    from odoo.tools import split_every

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
    cash = env["account.journal"].search(
        [
            ("type", "in", ("cash", "bank")),
            ("company_id", "=", env.company.id),
            ("default_account_id", "!=", False),
        ],
        order="type desc",
        limit=1,
    )
    liability = env.company._meter_prepaid_liability_account()
    Entry = env["account.move"].with_context(tracking_disable=True)
    for ids in split_every(OPENING_CHUNK, accounts.ids):
        chunk = accounts.browse(ids)
        entry = Entry.create(
            {
                "move_type": "entry",
                "journal_id": cash.id,
                "date": DAY,
                "ref": "Bench opening top-ups",
                "line_ids": [
                    Command.create(
                        {
                            "account_id": cash.default_account_id.id,
                            "name": "Bench opening top-ups",
                            "balance": TOP_UP * len(chunk),
                        }
                    ),
                    *(
                        Command.create(
                            {
                                "account_id": liability.id,
                                "partner_id": account.partner_id.id,
                                "name": account.display_name,
                                "balance": -TOP_UP,
                            }
                        )
                        for account in chunk
                    ),
                ],
            }
        )
        entry.action_post()
        env["meter.prepaid.move"].create(
            [
                {
                    "account_id": account.id,
                    "move_type": "top_up",
                    "date": DAY,
                    "amount": TOP_UP,
                    "journal_id": cash.id,
                    "account_move_id": entry.id,
                }
                for account in chunk
            ]
        )
        env.flush_all()
        env.invalidate_all()
    accounts.write({"state": "open", "date_start": DAY, "balance": TOP_UP})
    return accounts, cash


def baseline_vals(entries):
    """The deduction entries as plain ``account.move`` values: the lines the
    deduction created (its tax lines come again from the lines' taxes)."""
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
                        "analytic_distribution": line.analytic_distribution,
                        "tax_ids": [Command.set(line.tax_ids.ids)],
                    }
                )
                for line in move.line_ids
                if not line.tax_line_id
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


class _timer:
    """Seconds spent in the block, under ``profile`` when given."""

    def __init__(self, profile):
        self.profile = profile
        self.seconds = 0.0

    def __enter__(self):
        if self.profile:
            self.profile.enable()
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        if self.profile:
            self.profile.disable()


def side_by_side(env, accounts, profiles=(None, None)):
    """Deduct ``accounts`` batch by batch, each batch followed by the
    baseline of its entries; return (deduct_s, baseline_s, entries).
    ``profiles``: the cProfile profiles of both sides, if wanted."""
    from odoo.tools import split_every

    deduct_s = baseline_s = 0.0
    entries = 0
    Entry = env["account.move"].with_context(tracking_disable=True)
    for ids in split_every(BATCH, accounts.ids):
        env.invalidate_all()
        batch = env["meter.prepaid.account"].browse(ids)
        with _timer(profiles[0]) as timer:
            moves = batch._deduct_until(DAY)
            env.flush_all()
        deduct_s += timer.seconds
        stopped = batch.filtered("deduction_error")
        assert not stopped, stopped[:1].deduction_error
        posted = moves.account_move_id
        assert len(posted) == len(batch), (len(posted), len(batch))
        vals_list = baseline_vals(posted)
        env.invalidate_all()
        with _timer(profiles[1]) as timer:
            baseline = Entry.create(vals_list)
            baseline.action_post()
            env.flush_all()
        baseline_s += timer.seconds
        assert round(sum(baseline.mapped("amount_total")), 2) == round(
            sum(posted.mapped("amount_total")), 2
        )
        entries += len(posted)
    return deduct_s, baseline_s, entries


def measure(env, count, profiles=(None, None)):
    """Set up ``count`` accounts (and the warm-up ones), deduct one day side
    by side with the baseline; return (setup_s, deduct_s, baseline_s,
    entries, relay_s)."""
    ensure_chart(env)
    t0 = time.perf_counter()
    accounts, cash = open_accounts(env, make_portfolio(env, count + WARM_UP))
    env.flush_all()
    # the tables of this run only: a bare ANALYZE also takes the shared
    # catalogs and waits for other databases' transactions
    env.cr.execute(
        "ANALYZE meter_reading, meter_billing_point, meter_prepaid_account, "
        "meter_prepaid_move, meter_prepaid_move_line, account_move, "
        "account_move_line, res_partner, meter_unit, meter_occupancy"
    )
    setup_s = time.perf_counter() - t0
    side_by_side(env, accounts[:WARM_UP])
    deduct_s, baseline_s, entries = side_by_side(env, accounts[WARM_UP:], profiles)
    relay_s = top_up_to_relay(env, accounts[0], cash)
    return setup_s, deduct_s, baseline_s, entries, relay_s


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("--conf", "--db"):
        parser.add_argument(name, required=True)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="write cProfile stats of the deduction to FILE and of the "
        "baseline to FILE.baseline",
    )
    args = parser.parse_args()

    import odoo  # noqa: F401  (Odoo 19 is importable when this runs)
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", args.conf, "-d", args.db])
    profiles = (
        (cProfile.Profile(), cProfile.Profile()) if args.profile else (None, None)
    )
    load_before = os.getloadavg()
    with Registry(args.db).cursor() as cr:
        # the deduction runs as the cron does (no context): it sets the
        # contexts of its own batch work
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        setup_s, deduct_s, baseline_s, entries, relay_s = measure(
            env, args.accounts, profiles
        )
        cr.rollback()
    load_after = os.getloadavg()
    if args.profile:
        profiles[0].dump_stats(args.profile)
        profiles[1].dump_stats(f"{args.profile}.baseline")
    count = args.accounts
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"bench prepaid: {count} accounts, one day, 2 components each, "
        f"{entries} journal entries (setup {setup_s:.1f} s, warm-up "
        f"{WARM_UP} accounts)"
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
    print(
        f"  {'load average (1 min) before / after':<46} "
        f"{load_before[0]:>9.2f} / {load_after[0]:.2f}"
    )
    return 0 if ratio >= GOAL else 3  # 3: the goal is missed (not a crash)


if __name__ == "__main__":
    raise SystemExit(main())
