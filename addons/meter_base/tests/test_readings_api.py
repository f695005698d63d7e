# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from unittest.mock import patch

from odoo.exceptions import ConcurrencyError
from odoo.tests import HttpCase, new_test_user, tagged

from ..controllers.readings_api import MAX_BATCH
from .common import MeterBaseCommon

URL = "/meter/api/v1/readings"


@tagged("post_install", "-at_install")
class TestReadingsApi(HttpCase, MeterBaseCommon):
    """The JSON ingestion endpoint, authenticated by Odoo API keys."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key_tech = cls._api_key(cls.technician, "gw")
        cls.user_b = cls._user(
            "tech_b", "meter_base.meter_base_group_technician", cls.site_b
        )
        cls.key_other = cls._api_key(cls.user_b, "b")
        cls.meter_a1_xmlid = cls.meter_a1.export_data(["id"])["datas"][0][0]

    @classmethod
    def _api_key(cls, user, name):
        """A key of ``user`` without expiry, as an administrator may give a
        gateway: an expiry would be checked against Odoo's clock when the key
        is made and against PostgreSQL's when it is used."""
        keys_sudo = cls.env["res.users.apikeys"].with_user(user).sudo()
        return keys_sudo._generate(None, name, False)

    def _post(self, payload, key=None, raw=None):
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        body = raw if raw is not None else json.dumps(payload)
        response = self.url_open(URL, data=body, headers=headers, method="POST")
        if response.headers.get("Content-Type", "").startswith("application/json"):
            return response.status_code, response.json()
        return response.status_code, response.text

    def _item(self, meter="EL-A1", at="2025-01-31T22:00:00Z", value=100, **extra):
        return {"meter": meter, "read_at": at, "value": value, **extra}

    def test_batch_is_stored_with_per_item_results_and_replay(self):
        batch = [
            self._item(),
            {
                "meter_id": self.meter_a1_xmlid,
                "read_at": "2025-02-28T22:00:00Z",
                "value": "150.5",
            },
            {
                "meter_id": self.meter_a2.id,
                "register": "T1",
                "read_at": "2025-02-28T23:00:00+01:00",
                "value": 3,
                "evidence": "68 1f 1f 68\tframe\\raw",
            },
            self._item(meter="NOPE"),
            self._item(value="abc"),
            self._item(value=[1]),
            self._item(at=20250131),
            "not an object",
            self._item(at="2025-03-31T22:00:00Z", value=50),
        ]
        status, body = self._post({"readings": batch}, self.key_tech)
        self.assertEqual(status, 200, body)
        self.assertEqual(
            (body["created"], body["duplicates"], body["rejected"]), (3, 0, 6)
        )
        self.assertEqual(
            [(i["index"], i["status"], i.get("code")) for i in body["items"]],
            [
                (0, "created", None),
                (1, "created", None),
                (2, "created", None),
                (3, "rejected", "unknown_meter"),
                (4, "rejected", "not_parsable"),
                (5, "rejected", "not_parsable"),
                (6, "rejected", "not_parsable"),
                (7, "rejected", "not_parsable"),
                (8, "rejected", "negative_consumption"),
            ],
        )
        readings = self.meter_a1.reading_ids.sorted("read_at")
        self.assertEqual(readings.mapped("value"), [100, 150.5])
        self.assertEqual(set(readings.mapped("source")), {"api"})
        self.assertEqual(str(self.meter_a2.reading_ids.read_at), "2025-02-28 22:00:00")
        self.assertEqual(self.meter_a2.reading_ids.evidence, "68 1f 1f 68\tframe\\raw")
        # Replay: everything stored is a duplicate; a new value conflicts.
        status, body = self._post({"readings": batch[:3]}, self.key_tech)
        self.assertEqual((body["created"], body["duplicates"]), (0, 3))
        status, body = self._post({"readings": [self._item(value=101)]}, self.key_tech)
        self.assertEqual(body["items"][0]["code"], "conflicting_value")
        self.assertIn("EL-A1", body["items"][0]["message"])
        self.assertEqual(len(self.meter_a1.reading_ids), 2)

    def test_authentication(self):
        status, _body = self._post({"readings": [self._item()]})
        self.assertEqual(status, 401)
        status, body = self._post({"readings": [self._item()]}, "wrong-key")
        self.assertEqual(status, 401)
        self.assertIn("Invalid apikey", body)
        self.assertFalse(self.meter_a1.reading_ids)

    def test_limits_and_malformed_bodies(self):
        too_many = [
            self._item(at=f"2025-01-01T00:{i % 60:02d}:00Z")
            for i in range(MAX_BATCH + 1)
        ]
        status, body = self._post({"readings": too_many}, self.key_tech)
        self.assertEqual((status, body["error"]["code"]), (413, "batch_too_large"))
        status, body = self._post(None, self.key_tech, raw="{not json")
        self.assertEqual((status, body["error"]["code"]), (400, "bad_json"))
        status, body = self._post({"items": []}, self.key_tech)
        self.assertEqual((status, body["error"]["code"]), (400, "bad_request"))
        self.assertFalse(self.meter_a1.reading_ids)

    def test_absurd_reading_does_not_block_later_ones(self):
        """A reading dated 2099 and a value of 10^13 on a meter without a
        rollover value are refused with their codes; the real reading of the
        next month is then stored (stored, 10^13 made it negative_consumption)."""
        first = [
            self._item(at="2025-01-31T22:00:00Z", value=100),
            self._item(at="2025-02-28T22:00:00Z", value=10**13),
            self._item(at="2099-01-31T22:00:00Z", value=120),
        ]
        status, body = self._post({"readings": first}, self.key_tech)
        self.assertEqual(status, 200, body)
        self.assertEqual(
            [(i["status"], i.get("code")) for i in body["items"]],
            [
                ("created", None),
                ("rejected", "above_capacity"),
                ("rejected", "in_the_future"),
            ],
        )
        status, body = self._post(
            {"readings": [self._item(at="2025-03-31T22:00:00Z", value=160)]},
            self.key_tech,
        )
        self.assertEqual(body["items"][0]["status"], "created", body)
        self.assertEqual(self.meter_a1.reading_ids.mapped("consumption"), [60, 0])

    def test_deeply_nested_json_is_a_bad_request(self):
        """Too deep for Python's JSON parser (a RecursionError, answered 500
        before) or deeper than any batch needs: 400."""
        for depth in (100_000, 50):
            raw = '{"readings": ' + "[" * depth + "]" * depth + "}"
            with self.subTest(depth=depth):
                status, body = self._post(None, self.key_tech, raw=raw)
                self.assertEqual((status, body["error"]["code"]), (400, "bad_json"))
        self.assertFalse(self.meter_a1.reading_ids)

    def test_body_survives_a_retry_after_a_serialization_failure(self):
        """Odoo calls the route again after a concurrency error (as when two
        clients replay the same batch): the second call reads the same body,
        stores the readings once and answers 200 (it answered 400 "the body
        must be ..." when the stream had been read by the first call)."""
        Exchange = self.registry["meter.reading.exchange"]
        ingest = Exchange._ingest_items
        calls = []

        def ingest_once_conflicting(model, items, **kwargs):
            calls.append(len(items))
            if len(calls) == 1:
                raise ConcurrencyError("could not serialize access")
            return ingest(model, items, **kwargs)

        with (
            patch.object(Exchange, "_ingest_items", ingest_once_conflicting),
            patch("odoo.service.model.time.sleep"),
        ):
            status, body = self._post({"readings": [self._item()]}, self.key_tech)
        self.assertEqual(calls, [1, 1])
        self.assertEqual((status, body["created"]), (200, 1))
        self.assertEqual(self.meter_a1.reading_ids.value, 100)

    def test_key_of_a_user_without_metering_role(self):
        clerk = new_test_user(self.env, login="clerk", groups="base.group_user")
        key = self._api_key(clerk, "c")
        status, body = self._post({"readings": [self._item()]}, key)
        self.assertEqual((status, body["error"]["code"]), (403, "forbidden"))
        self.assertFalse(self.meter_a1.reading_ids)

    def test_key_of_a_user_without_access_to_the_site(self):
        status, body = self._post(
            {"readings": [self._item(), self._item(meter="EL-B1")]}, self.key_other
        )
        self.assertEqual(status, 200)
        self.assertEqual(
            [(i["status"], i.get("code")) for i in body["items"]],
            [("rejected", "unknown_meter"), ("created", None)],
        )
        self.assertFalse(self.meter_a1.reading_ids)
        self.assertEqual(self.meter_b1.reading_ids.value, 100)
