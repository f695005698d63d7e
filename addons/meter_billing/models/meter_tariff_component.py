# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from meterkit import as_decimal
from meterkit.tariffs import Component, Tier

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.meter_base.models.meter_meter import REGISTERS

COMPONENT_TYPES = [
    ("energy", "Energy per register"),
    ("tou_energy", "Energy per time-of-use band"),
    ("tiered", "Tiered blocks"),
    ("fixed", "Fixed / subscription"),
    ("area", "Per floor area"),
    ("demand_capacity", "Demand: transformer capacity"),
    ("demand_peak", "Demand: maximum demand"),
]
PRICE_DIGITS = (16, 6)


class MeterTariffComponent(models.Model):
    """One priced line of a tariff version, invoiced with its product.

    The product gives the income account and the taxes; ``name`` is the invoice
    label (translatable). ``sequence`` orders the lines on the invoice and
    ``invoice_group`` groups them under a section.
    """

    _name = "meter.tariff.component"
    _description = "Tariff Component"
    _order = "version_id, sequence, id"
    _check_company_auto = True

    version_id = fields.Many2one(
        "meter.tariff.version", required=True, ondelete="cascade", index=True
    )
    tariff_id = fields.Many2one(related="version_id.tariff_id", store=True)
    company_id = fields.Many2one(related="version_id.company_id", store=True)
    currency_id = fields.Many2one(related="version_id.currency_id")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Invoice label", required=True, translate=True)
    invoice_group = fields.Char(
        translate=True, help="Section of the invoice this line is printed under."
    )
    product_id = fields.Many2one(
        "product.product",
        required=True,
        ondelete="restrict",
        check_company=True,
        help="Gives the income account and the taxes of the invoice line.",
    )
    component_type = fields.Selection(
        COMPONENT_TYPES, string="Type", required=True, default="energy"
    )
    register = fields.Selection(
        REGISTERS, help="Register priced; empty: the sum of all registers."
    )
    band_code = fields.Char(
        string="Band", help="Time-of-use band code (of the version's calendar)."
    )
    price = fields.Float(string="Unit price", digits=PRICE_DIGITS)
    part = fields.Selection(
        [("both", "Solar and grid"), ("solar", "Solar"), ("grid", "Grid")],
        default="both",
        required=True,
        help="In a self-consumption community (ZEV/RCP, vZEV, LEG), an energy "
        "component may price only the solar or only the grid part of the "
        "consumption, as shared per 15-minute interval.",
    )
    tier_mode = fields.Selection(
        [
            ("cumulative", "Cumulative (each block at its price)"),
            ("independent", "Independent (whole quantity at the reached block)"),
        ],
        default="cumulative",
    )
    min_charge = fields.Float(string="Minimum charge", digits=(16, 2))
    tier_ids = fields.One2many(
        "meter.tariff.tier", "component_id", string="Blocks", copy=True
    )
    tier_period = fields.Selection(
        [
            ("period", "Per billed period"),
            ("year", "Per calendar year"),
        ],
        string="Blocks count",
        default="period",
        help="Per calendar year: the block limits are annual and the consumption "
        "counts from January 1 across the billed periods, so a month can straddle "
        "a limit (e.g. Zhejiang).",
    )
    tier_prorate = fields.Boolean(
        string="Pro-rate blocks",
        help="Block limits are multiplied by the days billed / days of the period "
        "(move-in, move-out).",
    )
    contract_demand = fields.Float(
        digits=(16, 3),
        help="Maximum demand: contract value in kW. Empty: the actual maximum "
        "demand is billed.",
    )
    excess_ratio = fields.Float(
        digits=(16, 4),
        default=1.05,
        help="Share of the contract demand billed at the normal price.",
    )
    excess_factor = fields.Float(
        digits=(16, 4), default=2.0, help="Price factor of the demand above it."
    )

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("component_type", "band_code", "tier_ids", "part")
    def _check_type_fields(self):
        for component in self:
            kind = component.component_type
            if component.part != "both" and kind not in ("energy", "usage_kwh"):
                raise ValidationError(
                    self.env._(
                        "Component %(name)s prices a solar or grid part: only an "
                        "energy component or sessions per kWh can.",
                        name=component.name,
                    )
                )
            if kind == "tou_energy" and not component.band_code:
                raise ValidationError(
                    self.env._(
                        "Component %(name)s prices a time-of-use band: set its band.",
                        name=component.name,
                    )
                )
            if kind == "tiered" and not component.tier_ids:
                raise ValidationError(
                    self.env._(
                        "Tiered component %(name)s needs at least one block.",
                        name=component.name,
                    )
                )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _to_meterkit(self, capacity=None):
        """This component as a :class:`meterkit.tariffs.Component`; ``capacity``
        (kVA) is the billing point's, for demand-capacity charges and the 40 %
        floor of a contract demand."""
        self.ensure_one()
        kind = self.component_type
        tiers = ()
        if kind == "tiered":
            blocks = self.tier_ids.sorted(lambda t: (not t.up_to, t.up_to, t.id))
            tiers = tuple(
                Tier(
                    as_decimal(t.up_to) if i < len(blocks) - 1 else None,
                    as_decimal(t.price),
                )
                for i, t in enumerate(blocks)
            )
        return Component(
            code=f"c{self.id}",
            kind=kind,
            label=self.name,
            price=as_decimal(self.price),
            register=self.register or None,
            band=self.band_code or None,
            tiers=tiers,
            tier_mode=self.tier_mode or "cumulative",
            minimum_charge=as_decimal(self.min_charge) if self.min_charge else None,
            capacity=(
                as_decimal(capacity or 0)
                if kind == "demand_capacity" or (kind == "demand_peak" and capacity)
                else None
            ),
            sequence=self.sequence,
            tier_prorate=self.tier_prorate,
            contract_demand=(
                as_decimal(self.contract_demand) if self.contract_demand else None
            ),
            excess_ratio=as_decimal(self.excess_ratio or 1),
            excess_factor=as_decimal(self.excess_factor or 1),
            key=self.id,
            part=None if self.part == "both" else self.part,
        )
