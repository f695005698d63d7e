# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import MeterBaseCommon


@tagged("post_install", "-at_install")
class TestMeterReplace(MeterBaseCommon):
    def _replace(self, meter, values, user=None, **fields_):
        wizard_model = self.env["meter.replace"]
        if user:
            wizard_model = wizard_model.with_user(user)
        form = Form(wizard_model.with_context(default_meter_id=meter.id))
        form.replaced_at = "2025-02-15 10:00:00"
        form.new_name = f"{meter.name}-NEW"
        for name, value in fields_.items():
            setattr(form, name, value)
        for index, (closing, opening) in enumerate(values):
            with form.line_ids.edit(index) as line:
                line.closing_value = closing
                line.opening_value = opening
        action = form.save().action_replace()
        return self.env["meter.meter"].browse(action["res_id"])

    def test_replacement_carries_consumption_across(self):
        old = self.meter_a1
        old.multiplier = 2
        self._reading(old, "2025-01-31 22:00:00", 1000)
        new = self._replace(old, [(1100, 3)], new_serial_number="SN-NEW")
        self.assertRecordValues(old, [{"status": "archived", "successor_id": new.id}])
        self.assertRecordValues(
            new,
            [
                {
                    "predecessor_id": old.id,
                    "unit_id": self.unit_a1.id,
                    "status": "active",
                    "serial_number": "SN-NEW",
                    "multiplier": 2,
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
                {"meter_id": old.id, "new_name": "X"}
            ).action_replace()

    def test_every_register_is_carried_across(self):
        meter = self.meter_a1
        meter.register_count = 2
        self._reading(meter, "2025-01-31 22:00:00", 100)
        self._reading(meter, "2025-01-31 22:00:00", 50, register="T2")
        new = self._replace(meter, [(130, 0), (70, 1)])
        closings = meter.reading_ids.filtered("is_closing").sorted("register")
        self.assertEqual(closings.mapped("consumption"), [30, 20])
        openings = new.reading_ids.sorted("register")
        self.assertEqual(openings.mapped("register"), ["T1", "T2"])
        self.assertEqual(openings.mapped("value"), [0, 1])
        self.assertEqual(new.register_count, 2)

    def test_sub_meters_follow_the_new_meter(self):
        main = self._main_meter_above(self.meter_a1)
        new = self._replace(main, [(10, 0)])
        self.assertEqual(self.meter_a1.parent_id, new)

    def test_only_technicians_replace(self):
        self._replace(self.meter_a1, [(5, 0)], user=self.technician)
        with self.assertRaises(AccessError):
            self._replace(self.meter_a2, [(5, 0)], user=self.reader)
