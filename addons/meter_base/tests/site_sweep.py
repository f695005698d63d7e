# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The site-boundary sweep shared by the addons' access tests."""

from odoo.exceptions import AccessError

OPERATIONS = ("read", "search", "write", "create", "unlink")


class SiteSweepMixin:
    """Check that site-limited users can do nothing with another site's records."""

    def _sweep_models(self, modules):
        """Every stored ``meter.*`` model defined by ``modules``."""
        return {
            name
            for name, model in self.env.registry.items()
            if name.startswith("meter.")
            and not model._abstract
            and not model._transient
            and model._original_module in modules
        }

    def _assert_sweep_covers(self, modules, foreign, shared):
        """``foreign`` (records of the other site) and ``shared`` (records of no
        site) name every model of ``modules``: none is left out of the sweep."""
        covered = {r._name for r in foreign} | {r._name for r in shared}
        self.assertEqual(self._sweep_models(modules) - covered, set())
        self.assertTrue(all(foreign) and all(shared), "a sweep record set is empty")

    def _assert_refused(self, user, records, operations=OPERATIONS):
        """``user`` can do none of ``operations`` on ``records``.

        ``search`` finds none of them (or is refused); ``read`` and ``unlink``
        are real calls; ``write`` and ``create`` are checked as the ORM checks
        them (the record rules of that operation on the records as they are),
        so that a model's own refusal (a state or an immutable value) cannot
        hide a missing rule.
        """
        records = records.with_user(user).with_context(active_test=False)
        for operation in operations:
            with self.subTest(user=user.login, model=records._name, op=operation):
                if operation == "search":
                    if records.browse().has_access("read"):
                        found = records.search([("id", "in", records.ids)])
                        self.assertFalse(found, "search found another site's records")
                    else:
                        with self.assertRaises(AccessError):
                            records.search([("id", "in", records.ids)])
                    continue
                with self.assertRaises(AccessError), self.env.cr.savepoint():
                    if operation == "read":
                        records.read(["display_name"])
                    elif operation == "unlink":
                        records.unlink()
                    else:
                        records.check_access(operation)
