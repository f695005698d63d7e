# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import ast
import inspect
import textwrap

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

BUTTON_PREFIXES = ("action_", "button_")


@tagged("post_install", "-at_install")
class TestRpcButtons(HttpCase):
    """Buttons are public methods: over XML-RPC a None answer is a fault
    ("cannot marshal None"), so each of them returns a value."""

    def _meter_buttons(self):
        """(model, method name, function) of every public button method that a
        meter addon defines, on every installed model."""
        for model_name in sorted(self.env.registry):
            model_cls = type(self.env[model_name])
            for klass in model_cls.__mro__:
                if not klass.__module__.startswith("odoo.addons.meter_"):
                    continue
                for name, func in vars(klass).items():
                    if (
                        name.startswith(BUTTON_PREFIXES)
                        and callable(func)
                        and not getattr(func, "_api_private", False)
                    ):
                        yield model_name, name, func

    def test_every_button_returns_a_value(self):
        """Every return of a button carries a value and no button ends without
        one (its last statement is a return or a raise)."""
        buttons = list(self._meter_buttons())
        self.assertGreater(len(buttons), 40)
        for model_name, name, func in buttons:
            with self.subTest(model=model_name, method=name):
                tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
                node = tree.body[0]
                returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)]
                self.assertFalse(
                    [r.lineno for r in returns if r.value is None],
                    "a bare return answers None",
                )
                self.assertIsInstance(node.body[-1], ast.Return | ast.Raise)

    @mute_logger("odoo.addons.rpc.controllers.xmlrpc")  # XML-RPC is deprecated
    def test_buttons_over_xmlrpc(self):
        """A manager presses buttons over XML-RPC and gets an answer."""
        manager = new_test_user(
            self.env,
            login="rpc_manager",
            groups="base.group_user,meter_base.meter_base_group_manager",
        )
        site = self.env["meter.site"].create({"name": "RPC site", "code": "RPC"})
        building = self.env["meter.building"].create(
            {"name": "RPC house", "site_id": site.id}
        )
        meter = self.env["meter.meter"].create(
            {
                "name": "EL-RPC",
                "kind": "common",
                "building_id": building.id,
                "resource_id": self.env.ref("meter_base.resource_electricity").id,
            }
        )
        for method in ("action_set_verification", "action_set_active"):
            result = self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                manager.id,
                "rpc_manager",
                "meter.meter",
                method,
                [meter.ids],
            )
            self.assertIs(result, True)
        meter.invalidate_recordset()
        self.assertEqual(meter.status, "active")
