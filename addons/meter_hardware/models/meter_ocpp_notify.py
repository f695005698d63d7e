# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Commands pushed to the OCPP central system: when a command is queued,
Odoo calls the central system's loopback notification endpoint after the
commit, and the central system polls the commands at once. The call carries
no command (they still come from the authenticated commands endpoint) and
its failure costs nothing but the wait for the next poll."""

import logging
import secrets

import requests

from odoo import api, models

_logger = logging.getLogger(__name__)

URL_PARAM = "meter_hardware.ocpp_notify_url"
TOKEN_PARAM = "meter_hardware.ocpp_notify_token"
NOTIFY_TIMEOUT = 2


def notify_central(url, token):
    """POST the notification (run after the commit, without the cursor)."""
    try:
        response = requests.post(
            url, headers={"Authorization": f"Bearer {token}"}, timeout=NOTIFY_TIMEOUT
        )
    except requests.RequestException as error:
        _logger.info("OCPP central system not notified (%s): it polls", error)
        return False
    if response.status_code != 202:
        _logger.info(
            "OCPP central system refused the notification (HTTP %s): it polls",
            response.status_code,
        )
    return response.status_code == 202


class MeterOcppApi(models.AbstractModel):
    _inherit = "meter.ocpp.api"

    @api.model
    def _config(self, notify_port=None):
        """The config, with the token of Odoo's notifications; a central
        system that announces its loopback ``notify_port`` is notified there
        from now on. Only a technician's key reads or sets them."""
        config = super()._config()
        if not self.env.user.has_group("meter_base.meter_base_group_technician"):
            return config
        params_sudo = self.env["ir.config_parameter"].sudo()
        token = params_sudo.get_param(TOKEN_PARAM)
        if not token:
            token = secrets.token_urlsafe(32)
            params_sudo.set_param(TOKEN_PARAM, token)
        if (
            isinstance(notify_port, int)
            and not isinstance(notify_port, bool)
            and 0 < notify_port < 65536
        ):
            url = f"http://127.0.0.1:{notify_port}/meter-ocpp/notify"
            if params_sudo.get_param(URL_PARAM) != url:
                params_sudo.set_param(URL_PARAM, url)
        config["notify_token"] = token
        return config


class MeterChargePoint(models.Model):
    _inherit = "meter.charge.point"

    def _queue(self, action, params, session=None):
        result = super()._queue(action, params, session=session)
        self._notify_after_commit()
        return result

    def _notify_after_commit(self):
        """Notify the central system once the queued commands are committed
        (it reads them through the API, in another transaction)."""
        params_sudo = self.env["ir.config_parameter"].sudo()
        url, token = (
            params_sudo.get_param(URL_PARAM),
            params_sudo.get_param(TOKEN_PARAM),
        )
        if not url or not token:
            return
        postcommit = self.env.cr.postcommit
        if not postcommit.data.get("meter_ocpp_notify"):
            postcommit.data["meter_ocpp_notify"] = True
            postcommit.add(lambda: notify_central(url, token))
