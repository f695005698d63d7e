# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10 10:00:00", tick=True)
class TestUiReaderTour(HttpCase):
    """A meter reader enters readings from the readings list, from a meter and
    in the batch form of a building, and confirms an unusual consumption.

    The server's clock starts on 2026-03-10 10:00 UTC and ticks (readings take
    their default date from the server): the heat meter's history is placed
    relative to now (900 kWh over the 90 days before yesterday, about 304 kWh a
    month, i.e. 10 kWh for the day since: 8,100 kWh is far above 3 times it).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.reader = new_test_user(
            env,
            login="tour_reader",
            groups="base.group_user,meter_base.meter_base_group_reader",
        )
        site = env["meter.site"].create({"name": "Tour Site", "code": "TRS"})
        site.user_ids = cls.reader
        building = env["meter.building"].create(
            {"name": "Tour House", "site_id": site.id}
        )
        unit = env["meter.unit"].create({"name": "TH-1", "building_id": building.id})
        Meter = env["meter.meter"]
        cls.meters = {
            name: Meter.create(
                {
                    "name": name,
                    "unit_id": unit.id,
                    "resource_id": env.ref(f"meter_base.resource_{code}").id,
                }
            )
            for name, code in (
                ("TR-EL-1", "electricity"),
                ("TR-HW-1", "hot_water"),
                ("TR-HEAT-1", "heat"),
            )
        }
        env.ref("meter_base.resource_heat").anomaly_factor = 3
        now = fields.Datetime.now().replace(microsecond=0)
        env["meter.reading"].create(
            [
                {
                    "meter_id": cls.meters["TR-HEAT-1"].id,
                    "read_at": now - timedelta(days=days),
                    "value": value,
                }
                for days, value in ((91, 0), (61, 300), (31, 600), (1, 900))
            ]
        )

    def _live(self, name):
        return self.meters[name].reading_ids.filtered(lambda r: r.state == "valid")

    def test_reader_enters_readings(self):
        self.start_tour(
            "/odoo/meter-readings", "meter_base_reader_list_tour", login="tour_reader"
        )
        self.assertEqual(self._live("TR-EL-1").mapped("value"), [100.0])
        self.start_tour(
            "/odoo/meters", "meter_base_reader_meter_tour", login="tour_reader"
        )
        self.assertEqual(self._live("TR-HW-1").mapped("value"), [12.5])
        self.start_tour(
            "/odoo/meter-buildings", "meter_base_reader_batch_tour", login="tour_reader"
        )
        heat = self._live("TR-HEAT-1").sorted("read_at")[-1]
        self.assertEqual(heat.consumption, 8100.0)
        self.assertEqual(heat.author_id, self.reader)
        self.assertEqual(heat.anomaly_confirmed_by_id, self.reader)
        self.assertEqual(self.meters["TR-HEAT-1"].reading_count, 5)
