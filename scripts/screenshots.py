#!/usr/bin/env python3
# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Screenshots of the main screens for the README, in English and German.

Start the demo first (``./scripts/run``, or any server on a demo database),
then::

    python scripts/screenshots.py [--url http://127.0.0.1:8069] [--db meter_demo]
        [--login admin --password admin] [--out docs/screenshots]
        [--chromium /usr/bin/chromium]

It logs in over JSON-RPC, drives a headless Chromium through its DevTools
protocol (websocket-client, in requirements-test.txt) at 1440x900 and writes
``<screen>-<lang>.png``. The user's language is switched to de_DE for the
second pass and restored at the end.

The resident portal is shot the same way as the demo resident (``--resident
resident``, password ``resident``: meter_portal's demo data), plus its readings
page on a 375 px phone (``portal-readings-phone-en.png``).
"""

import argparse
import base64
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import requests
import websocket

SCREENS = [
    ("sites", "/odoo/meter-sites"),
    ("site-lac", "/odoo/action-meter_base.meter_site_action/{site_lac}"),
    ("meters", "/odoo/action-meter_base.meter_meter_action"),
    ("readings", "/odoo/action-meter_base.meter_reading_action"),
    ("billing-runs", "/odoo/action-meter_billing.meter_billing_run_action"),
    ("billing-run", "/odoo/action-meter_billing.meter_billing_run_action/{run}"),
    ("tariffs", "/odoo/action-meter_billing.meter_tariff_action"),
]
# (name, path, what shows that the page is ready)
PORTAL_SCREENS = [
    # the home page's counters are loaded: their spinner is gone
    (
        "portal-home",
        "/my/home",
        "body:not(:has(.o_portal_doc_spinner)) .o_meter_portal_tile",
    ),
    ("portal-readings", "/my/meters", ".o_meter_portal_card"),
    ("portal-history", "/my/meters/{resident_meter}", ".o_meter_portal_chart_ready"),
    ("portal-invoices", "/my/invoices", ".o_portal_my_doc_table, .o_portal_wrap"),
    ("portal-statements", "/my/statements", ".o_meter_portal_statements"),
]
PHONE_SCREENS = [("portal-readings-phone", "/my/meters", ".o_meter_portal_card")]
LANGS = ("en_US", "de_DE")
WIDTH, HEIGHT = 1440, 900
PHONE_WIDTH, PHONE_HEIGHT = 375, 812


def rpc(session, url, model, method, args, kwargs=None):
    response = session.post(
        f"{url}/web/dataset/call_kw/{model}/{method}",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": kwargs or {},
            },
        },
        timeout=60,
    )
    body = response.json()
    if "error" in body:
        raise RuntimeError(body["error"]["data"]["message"])
    return body["result"]


class Browser:
    """A headless Chromium driven over the DevTools protocol."""

    def __init__(self, chromium):
        self.profile = tempfile.mkdtemp(prefix="meter-shots-")
        self.process = subprocess.Popen(
            [
                chromium,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--window-size={WIDTH},{HEIGHT}",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        for _i in range(100):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        targets = requests.get(f"http://127.0.0.1:{port}/json", timeout=10).json()
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.next_id = 0
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        return result.get("result", {}).get("value")

    def resize(self, width, height, mobile=False):
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=2 if mobile else 1,
            mobile=mobile,
        )

    def login(self, url, login, password, lang):
        """Log in through the login form (a new session of this browser) and
        show the portal in ``lang`` (its ``frontend_lang`` cookie)."""
        self.call("Network.clearBrowserCookies")
        self.call("Page.navigate", url=f"{url}/web/login")
        self.wait_for("!!document.querySelector('form.oe_login_form')")
        self.evaluate(
            "(() => { const form = document.querySelector('form.oe_login_form');"
            f" form.login.value = {json.dumps(login)};"
            f" form.password.value = {json.dumps(password)};"
            " form.submit(); })()"
        )
        self.wait_for("!location.pathname.startsWith('/web/login')")
        self.call("Network.setCookie", name="frontend_lang", value=lang, url=url)

    def wait_for(self, condition, seconds=120):
        deadline = time.time() + seconds
        while time.time() < deadline:
            time.sleep(0.5)
            if self.evaluate(f"document.readyState === 'complete' && {condition}"):
                return
        raise RuntimeError(f"timed out waiting for {condition}")

    def shoot_portal(self, url, ready, path):
        """A portal page (no web client): loaded, ``ready`` shown, fonts and
        lazy charts drawn."""
        self.call("Page.navigate", url=url)
        self.wait_for(f"!!document.querySelector({json.dumps(ready)})")
        time.sleep(1.5)
        shot = self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))

    def shoot(self, url, path):
        self.call("Page.navigate", url=url)
        # the web client is ready when its action is rendered and idle
        # (the first page of a fresh server may wait a minute for its assets)
        deadline = time.time() + 180
        while time.time() < deadline:
            time.sleep(0.5)
            if self.evaluate(
                "!!document.querySelector('.o_main_navbar')"
                " && !!document.querySelector('.o_action_manager > .o_action')"
                " && !document.querySelector('.o_loading_indicator, .o_blockUI')"
            ):
                break
        else:
            raise RuntimeError(f"{url} did not load")
        time.sleep(1.5)
        shot = self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="meter_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument(
        "--out", default=str(Path(__file__).parent.parent / "docs/screenshots")
    )
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--resident", default="resident")
    parser.add_argument("--resident-password", default="resident")
    parser.add_argument(
        "--portal-only", action="store_true", help="only the resident's pages"
    )
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    session = requests.Session()
    auth = session.post(
        f"{args.url}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "params": {"db": args.db, "login": args.login, "password": args.password},
        },
        timeout=60,
    ).json()
    if "error" in auth:
        raise SystemExit(f"login failed: {auth['error']['data']['message']}")
    uid = auth["result"]["uid"]
    ids = {
        "site_lac": rpc(
            session,
            args.url,
            "meter.site",
            "search",
            [[["code", "=", "CH-LAC"]]],
            {"limit": 1},
        )[0],
        "run": rpc(
            session, args.url, "meter.billing.run", "search", [[]], {"limit": 1}
        )[0],
    }
    lang = rpc(session, args.url, "res.users", "read", [[uid], ["lang"]])[0]["lang"]
    browser = Browser(args.chromium)
    try:
        browser.call(
            "Network.setCookie",
            name="session_id",
            value=session.cookies["session_id"],
            url=args.url,
        )
        for code in () if args.portal_only else LANGS:
            rpc(session, args.url, "res.users", "write", [[uid], {"lang": code}])
            for name, path in SCREENS:
                target = out / f"{name}-{code.split('_')[0]}.png"
                browser.shoot(args.url + path.format(**ids), target)
                print(target)
        shoot_portal(browser, session, args, out)
    finally:
        rpc(session, args.url, "res.users", "write", [[uid], {"lang": lang}])
        browser.close()


def shoot_portal(browser, session, args, out):
    """The resident's pages, logged in as the demo resident; the staff
    ``session`` switches the resident's language."""
    url = args.url
    resident = requests.Session()
    auth = resident.post(
        f"{url}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "params": {
                "db": args.db,
                "login": args.resident,
                "password": args.resident_password,
            },
        },
        timeout=60,
    ).json()
    if "error" in auth:
        raise SystemExit(f"resident login failed: {auth['error']['data']['message']}")
    resident_uid = auth["result"]["uid"]
    unit = rpc(
        session,
        url,
        "meter.portal.access",
        "search_read",
        [[["user_id", "=", resident_uid], ["state", "=", "confirmed"]]],
        {"fields": ["unit_id"], "limit": 1},
    )[0]["unit_id"][0]
    ids = {
        "resident_meter": rpc(
            session,
            url,
            "meter.meter",
            "search",
            [[["unit_id", "=", unit], ["resource_id.code", "=", "heat"]]],
            {"limit": 1},
        )[0]
    }
    lang = rpc(session, url, "res.users", "read", [[resident_uid], ["lang"]])[0]
    try:
        for code in LANGS:
            rpc(session, url, "res.users", "write", [[resident_uid], {"lang": code}])
            # a session keeps the language of its login
            browser.resize(WIDTH, HEIGHT)
            browser.login(url, args.resident, args.resident_password, code)
            suffix = code.split("_")[0]
            browser.resize(WIDTH, HEIGHT)
            for name, path, ready in PORTAL_SCREENS:
                target = out / f"{name}-{suffix}.png"
                browser.shoot_portal(url + path.format(**ids), ready, target)
                print(target)
            if code != LANGS[0]:
                continue
            browser.resize(PHONE_WIDTH, PHONE_HEIGHT, mobile=True)
            for name, path, ready in PHONE_SCREENS:
                target = out / f"{name}-{suffix}.png"
                browser.shoot_portal(url + path.format(**ids), ready, target)
                print(target)
    finally:
        rpc(
            session,
            url,
            "res.users",
            "write",
            [[resident_uid], {"lang": lang["lang"]}],
        )


if __name__ == "__main__":
    main()
