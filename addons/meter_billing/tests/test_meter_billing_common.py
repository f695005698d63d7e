# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.fields import Command
from odoo.tests import tagged

from .common import MeterBillingCommon


@tagged("post_install", "-at_install")
class TestMeterBillingCommon(MeterBillingCommon):
    """House A: a common meter (90 kWh in January) shared between A1 (300 kWh,
    80 m2) and A2 (500 kWh, 40 m2) at 0.20 per kWh (18.00); a main meter (1000
    kWh) above the three meters: residual 1000 - 890 = 110."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env.company.meter_common_product_id = env["product.product"].create(
            {"name": "Common areas", "type": "service", "taxes_id": [Command.clear()]}
        )
        env["meter.unit.basis"].create(
            {
                "unit_id": cls.unit_a2.id,
                "kind": "area",
                "value": 40.0,
                "date_from": "2025-01-01",
            }
        )
        Meter = env["meter.meter"]
        cls.common = Meter.create(
            {
                "name": "EL-COMMON",
                "kind": "common",
                "building_id": cls.building_a.id,
                "resource_id": cls.electricity.id,
            }
        )
        cls.main = Meter.create(
            {
                "name": "EL-MAIN",
                "kind": "main",
                "building_id": cls.building_a.id,
                "resource_id": cls.electricity.id,
            }
        )
        (cls.common | cls.meter_a1 | cls.meter_a2).parent_id = cls.main
        for meter, start, end in ((cls.common, 10, 100), (cls.main, 0, 1000)):
            cls._reading(meter, "2026-01-01 00:00:00", start)
            cls._reading(meter, "2026-02-01 00:00:00", end)

    def _common_lines(self, method):
        run = self._run(sites=self.site_a, common_method=method, common_price=0.2)
        self._bill(run, post=False)
        lines = run.line_ids.filtered(lambda line: line.component_type == "common")
        return run, {line.billing_point_id: line for line in lines}

    def test_common_by_usage(self):
        """300/800 x 18.00 = 6.75 and 500/800 x 18.00 = 11.25 (33.75 and
        56.25 kWh)."""
        run, lines = self._common_lines("usage")
        self.assertEqual(
            (lines[self.point_a1].amount, lines[self.point_a2].amount), (6.75, 11.25)
        )
        self.assertEqual(lines[self.point_a1].quantity, 33.75)
        self.assertAlmostEqual(
            run.move_ids.filtered(
                lambda m: m.partner_id == self.tenant1
            ).amount_untaxed,
            159.49 + 6.75,
            places=2,
        )
        self.assertIn("residual 110", run.residual_note)

    def test_common_by_area_and_equally(self):
        """Area: 80/120 x 18.00 = 12.00 and 6.00. Equally: 9.00 each."""
        _run, lines = self._common_lines("area")
        self.assertEqual(
            (lines[self.point_a1].amount, lines[self.point_a2].amount), (12.0, 6.0)
        )

    def test_common_equally_sums_exactly(self):
        """18.00 split in two equal parts: 9.00 and 9.00."""
        _run, lines = self._common_lines("equal")
        self.assertEqual(
            (lines[self.point_a1].amount, lines[self.point_a2].amount), (9.0, 9.0)
        )

    def test_common_with_unit_without_occupant(self):
        """A2 has no occupant in January: its result is blocked and the common
        areas of house A are not apportioned (said in the note) rather than
        failing the whole computation."""
        self.unit_a2.occupancy_ids.date_start = "2026-02-01"
        run = self._run(sites=self.site_a, common_method="equal", common_price=0.2)
        with self._cron_budget(None):
            run.action_compute()
            run._process()
        self.assertEqual(run.state, "computed")
        blocked = run.result_ids.filtered(lambda r: r.state == "blocked")
        self.assertEqual(blocked.billing_point_id, self.point_a2)
        self.assertFalse(
            run.line_ids.filtered(lambda line: line.component_type == "common")
        )
        self.assertIn("common areas not apportioned", run.residual_note)
        self.assertIn("has no occupant", run.residual_note)

    def test_common_lines_in_their_section(self):
        """Tenant One's invoice: the common-area share (equally: 9.00) is a line
        under its own "Common areas" section, not loose among the energy lines;
        Energy and Fees keep theirs."""
        run, lines = self._common_lines("equal")
        move = run.move_ids.filtered(lambda m: m.partner_id == self.tenant1)
        common = lines[self.point_a1].move_line_id
        sections = move.invoice_line_ids.filtered(
            lambda ml: ml.display_type == "line_section"
        )
        self.assertEqual(sections.mapped("name"), ["Common areas", "Energy", "Fees"])
        section = sections.filtered(lambda ml: ml.name == "Common areas")
        ordered = move.invoice_line_ids.sorted("sequence")
        self.assertEqual(ordered[list(ordered).index(section) + 1], common)
        self.assertEqual(common.price_subtotal, 9.0)

    def test_replaced_common_meter_counts_both_meters(self):
        """The common consumption is valued by meter_base's consumption API
        (meter.consumption), which counts a meter replaced inside the period
        up to its closing reading and its successor from its opening reading
        (RULES.md 5.4). A second common meter of house A, the hall: 0 on 1
        January, replaced on 16 January 00:00 (closing 30, opening 5), the new
        meter 25 on 1 February: (30 - 0) + (25 - 5) = 50 kWh. Common areas
        90 + 50 = 140 kWh x 0.20 = 28.00, by usage: 300/800 x 28.00 = 10.50
        and 500/800 x 28.00 = 17.50 (52.50 and 87.50 kWh)."""
        hall = self.env["meter.meter"].create(
            {
                "name": "EL-HALL",
                "kind": "common",
                "building_id": self.building_a.id,
                "resource_id": self.electricity.id,
            }
        )
        self._reading(hall, "2026-01-01 00:00:00", 0)
        wizard = self.env["meter.replace"].create(
            {
                "meter_id": hall.id,
                "replaced_at": "2026-01-16 00:00:00",
                "new_name": "EL-HALL-2",
            }
        )
        wizard.line_ids.write({"closing_value": 30, "opening_value": 5})
        wizard.action_replace()
        self._reading(hall.successor_id, "2026-02-01 00:00:00", 25)
        run, lines = self._common_lines("usage")
        self.assertFalse(run.residual_note and "not apportioned" in run.residual_note)
        self.assertEqual(
            (lines[self.point_a1].amount, lines[self.point_a2].amount), (10.5, 17.5)
        )
        self.assertEqual(
            (lines[self.point_a1].quantity, lines[self.point_a2].quantity),
            (52.5, 87.5),
        )
