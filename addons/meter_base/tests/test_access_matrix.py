# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import MeterBaseCommon

OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}

#: what each role may do on each model (r read, w write, c create, u unlink),
#: as the roles are described in the README: readers read and enter readings,
#: technicians run meters, readings, intervals and exchange, billing officers
#: run units, bases and occupancies; rules, resources and sites are the
#: manager's. A role holds the reader's rights too (implied group).
MATRIX = {
    "meter.site": ("r", "r", "r"),
    "meter.building": ("r", "rwc", "rwc"),
    "meter.unit": ("r", "r", "rwc"),
    "meter.unit.basis": ("r", "r", "rwcu"),
    "meter.occupancy": ("r", "r", "rwcu"),
    "meter.resource": ("r", "r", "r"),
    "meter.meter": ("r", "rwc", "r"),
    "meter.reading": ("rc", "rwc", "rwc"),
    "meter.rule": ("r", "r", "r"),
    "meter.reading.issue": ("r", "rwcu", "rwcu"),
    "meter.interval": ("r", "rc", "rc"),
    "meter.exchange.job": ("", "r", ""),
    "meter.exchange.log": ("", "r", ""),
}


@tagged("post_install", "-at_install")
class TestAccessMatrix(MeterBaseCommon):
    def test_operations_per_role(self):
        """Each role may do exactly the operations of MATRIX on each model;
        the manager may do them all."""
        roles = (self.reader, self.technician, self.billing)
        for model, allowed in MATRIX.items():
            for user, letters in (
                *zip(roles, allowed, strict=True),
                (self.manager, "rwcu"),
            ):
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, user=user.login, op=operation):
                        self.assertEqual(
                            self.env[model].with_user(user).has_access(operation),
                            letter in letters,
                        )

    def test_intervals_and_occupancies_per_site(self):
        """A user of site A sees the interval values and occupancies of site A
        only; the manager sees both sites."""
        self.env["meter.interval"]._bulk_load(
            [
                (self.meter_a1.id, "T1", "2025-03-01 00:00:00", 1),
                (self.meter_b1.id, "T1", "2025-03-01 00:00:00", 2),
            ]
        )
        Occupancy = self.env["meter.occupancy"]
        occupancies = Occupancy.create(
            [
                {
                    "unit_id": unit.id,
                    "partner_id": self.tenant.id,
                    "role": "tenant",
                    "date_start": "2025-01-01",
                }
                for unit in (self.unit_a1, self.unit_b1)
            ]
        )
        for user in (self.reader, self.technician, self.billing):
            with self.subTest(user=user.login):
                intervals = self.env["meter.interval"].with_user(user).search([])
                self.assertEqual(intervals.meter_id, self.meter_a1)
                seen = Occupancy.with_user(user).search([("id", "in", occupancies.ids)])
                self.assertEqual(seen.unit_id, self.unit_a1)
        manager_view = self.env["meter.interval"].with_user(self.manager).search([])
        self.assertEqual(manager_view.meter_id, self.meter_a1 | self.meter_b1)
