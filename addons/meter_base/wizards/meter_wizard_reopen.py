# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MeterWizardReopen(models.AbstractModel):
    """Wizards that show their own result (a dry-run report, a file, deltas)
    in the same dialog after a button."""

    _name = "meter.wizard.reopen"
    _description = "Wizard Showing Its Result"

    def _reopen(self):
        """The action that shows this wizard record again in its dialog."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
