# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
class TestMeterReplace(MeterBaseCommon):
    def test_replacement_carries_consumption_across(self):
        old = self.meter_a1
        old.multiplier = 2
        self._reading(old, "2025-01-31 22:00:00", 1000)
        form = Form(self.env["meter.replace"].with_context(default_meter_id=old.id))
        form.replaced_at = "2025-02-15 10:00:00"
        form.closing_value = 1100
        form.new_name = "EL-A1-NEW"
        form.new_serial_number = "SN-NEW"
        form.opening_value = 3
        self.assertEqual(form.new_multiplier, 2)
        action = form.save().action_replace()
        new = self.env["meter.meter"].browse(action["res_id"])
        self.assertRecordValues(old, [{"status": "archived", "successor_id": new.id}])
        self.assertRecordValues(
            new,
            [
                {
                    "predecessor_id": old.id,
                    "unit_id": self.unit_a1.id,
                    "status": "active",
                    "serial_number": "SN-NEW",
                }
            ],
        )
        r_new = self._reading(new, "2025-02-28 22:00:00", 53)
        closing = old.reading_ids.filtered("is_closing")
        self.assertEqual(closing.consumption, 200)
        self.assertEqual(r_new.consumption, 100)
        readings = self.env["meter.reading"].search(
            new.action_open_readings()["domain"]
        )
        self.assertEqual(sum(readings.mapped("consumption")), 300)
        with self.assertRaises(UserError):
            self.env["meter.replace"].create(
                {"meter_id": old.id, "closing_value": 1, "new_name": "X"}
            ).action_replace()
