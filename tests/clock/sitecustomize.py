# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Start every Python process of a test run on the day ``METER_TODAY`` names.

``./scripts/test --today YYYY-MM-DD`` puts this folder first on PYTHONPATH and
sets ``METER_TODAY``: Python imports this module at start-up (in pytest, in
odoo-bin and in every worker it forks or spawns), and time-machine moves the
wall clock (``time.time``, ``datetime.now``, ``date.today``, ...) to that day
at 10:00 UTC, ticking on from there. The monotonic clock, sleeps and socket
timeouts stay real, so drivers and servers behave as on any day. PostgreSQL
is started under libfaketime on the same day by the script.
"""

import os

_today = os.environ.get("METER_TODAY")
if _today:
    from datetime import datetime, timezone

    import time_machine

    _start = datetime.fromisoformat(_today).replace(hour=10, tzinfo=timezone.utc)
    time_machine.travel(_start, tick=True).start()
