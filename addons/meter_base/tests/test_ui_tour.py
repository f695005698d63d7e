# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestUiTour(HttpCase):
    def test_site_to_first_reading(self):
        self.start_tour("/odoo/meter-sites", "meter_base_tour", login="admin")
        meter = self.env["meter.meter"].search([("name", "=", "TOUR-EL-1")])
        self.assertEqual(meter.site_id.code, "TOUR")
        self.assertEqual(meter.unit_id.name, "Tour Flat 1")
        self.assertEqual(sorted(meter.reading_ids.mapped("consumption")), [0, 42.5])
