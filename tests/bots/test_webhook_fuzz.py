"""Every webhook fed malformed, hostile and random input: a 4xx with a reason, never a 5xx.

The fuzz tests sign (or carry the secret for) every body, so it gets past the gate and into
parsing and the engine; valid-looking examples really are answered, to random user ids, through
the stand-ins. The plain tests pin the exact answers: 400 with a reason for bodies that do not
parse, 403 and no side effect for a bad signature, 413 past 1 MB, 200 for kinds we ignore.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from aiogram.types import Chat, ChatMemberBanned, ChatMemberMember, ChatMemberUpdated, Update, User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped, unused-ignore]
from utils.live import LiveServer
from utils.platforms import (
    PUBLIC_URL,
    TELEGRAM_SECRET,
    post_telegram,
    post_twilio,
    post_viber,
    tg_button,
    tg_message,
    twilio_form,
    viber_message,
    viber_sender,
    viber_started,
)
from utils.standins import TWILIO_AUTH_TOKEN, VIBER_TOKEN, StandIns

TELEGRAM = "/webhooks/telegram"
WA = "/webhooks/whatsapp"
SMS = "/webhooks/sms"
STATUS = "/webhooks/twilio/status"
VIBER = "/webhooks/viber"
MB = 1024 * 1024

# One HTTP round trip per example against the live server; no example database is written.
# FUZZ_EXAMPLES=2000 digs deeper (about 10 s per thousand examples per test).
fuzz = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "100")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

Path = tuple[str | int, ...]

# Strategies ----------------------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
# Values that break naive code: int64 edges, NaN and infinities, numbers as text, huge strings.
odd_values: st.SearchStrategy[Any] = st.sampled_from(
    [
        0,
        -1,
        2**31,
        2**63,
        2**64,
        -(2**63) - 1,
        10**40,
        1e308,
        -0.0,
        float("nan"),
        float("inf"),
        91.0,
        -181.0,
        "",
        "0",
        "NaN",
        "1e400",
        "\x00",
        "x" * 5000,
        True,
        None,
        [],
        {},
    ]
)
any_value = odd_values | json_values
user_ids = st.integers(10**9, 10**13)
update_ids = st.integers(1, 2**40)
texts = st.text(max_size=60)


def _paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every key path inside a JSON document."""
    if isinstance(value, dict):
        items: list[tuple[str | int, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return []
    found: list[Path] = []
    for key, child in items:
        found.append((*prefix, key))
        found.extend(_paths(child, (*prefix, key)))
    return found


def _put(node: Any, path: Path, value: Any) -> Any:
    """`node` with `path` set to `value`; whatever is in the way becomes a dict."""
    if not path:
        return value
    key, rest = path[0], path[1:]
    if isinstance(node, list) and isinstance(key, int) and key < len(node):
        node[key] = _put(node[key], rest, value)
        return node
    container = node if isinstance(node, dict) else {}
    container[key] = _put(container.get(key), rest, value)
    return container


def _remove(doc: dict[str, Any], path: Path) -> None:
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]


def mutations(bases: st.SearchStrategy[dict[str, Any]], focus: list[Path]) -> Any:
    """A valid document with one to three fields replaced by random values or removed.

    Half the edits hit `focus`, the fields the code reads; the rest any path in the document.
    """

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        doc = draw(bases)
        for _ in range(draw(st.integers(1, 3))):
            paths = _paths(doc)
            path = draw(
                st.sampled_from(focus)
                if draw(st.booleans()) or not paths
                else st.sampled_from(paths)
            )
            if path in paths and draw(st.integers(0, 3)) == 0:
                _remove(doc, path)
            else:
                # A copy: sampled_from hands out the same [] and {} every time.
                doc = _put(doc, path, copy.deepcopy(draw(any_value)))
        return doc

    return build()


def _telegram_member(user_id: int, update_id: int, status: str) -> dict[str, Any]:
    user = User(id=user_id, is_bot=False, first_name="Test")
    bot = User(id=123, is_bot=True, first_name="Musofir")
    new = ChatMemberBanned(user=bot, until_date=datetime.now(UTC)) if status == "kicked" else None
    change = ChatMemberUpdated(
        chat=Chat(id=user_id, type="private"),
        from_user=user,
        date=datetime.now(UTC),
        old_chat_member=ChatMemberMember(user=bot),
        new_chat_member=new or ChatMemberMember(user=bot),
    )
    update = Update(update_id=update_id, my_chat_member=change)
    return update.model_dump(mode="json", by_alias=True, exclude_none=True)


telegram_updates = st.one_of(
    st.builds(lambda u, t, i: tg_message(u, t, update_id=i), user_ids, texts, update_ids),
    st.builds(
        lambda u, lat, lon, i: tg_message(u, location=(lat, lon), update_id=i),
        user_ids,
        st.floats(-90, 90) | st.floats(),
        st.floats(-180, 180) | st.floats(),
        update_ids,
    ),
    st.builds(lambda u, d, i: tg_button(u, d, update_id=i), user_ids, texts, update_ids),
    st.builds(_telegram_member, user_ids, update_ids, st.sampled_from(["kicked", "member"])),
)
TELEGRAM_FOCUS: list[Path] = [
    ("update_id",),
    ("message",),
    ("message", "chat"),
    ("message", "chat", "id"),
    ("message", "chat", "type"),
    ("message", "from"),
    ("message", "from", "id"),
    ("message", "from", "language_code"),
    ("message", "text"),
    ("message", "caption"),
    ("message", "location"),
    ("message", "location", "latitude"),
    ("message", "location", "longitude"),
    ("message", "contact"),
    ("message", "photo"),
    ("message", "date"),
    ("callback_query",),
    ("callback_query", "id"),
    ("callback_query", "data"),
    ("callback_query", "from"),
    ("callback_query", "from", "id"),
    ("callback_query", "message"),
    ("callback_query", "message", "chat"),
    ("my_chat_member",),
    ("my_chat_member", "new_chat_member", "status"),
    ("edited_message",),
    ("poll",),
]

TWILIO_FIELDS = [
    "MessageSid",
    "SmsSid",
    "SmsMessageSid",
    "AccountSid",
    "MessagingServiceSid",
    "From",
    "To",
    "Body",
    "NumMedia",
    "NumSegments",
    "MediaUrl0",
    "MediaContentType0",
    "Latitude",
    "Longitude",
    "Address",
    "Label",
    "ProfileName",
    "WaId",
    "ButtonText",
    "ButtonPayload",
    "OriginalRepliedMessageSid",
    "ApiVersion",
    "SmsStatus",
    "MessageStatus",
    "ErrorCode",
    "ErrorMessage",
]
twilio_keys = st.sampled_from(TWILIO_FIELDS) | st.text(max_size=20)
twilio_values = (
    st.text(max_size=40)
    | st.sampled_from(
        [
            "",
            "0",
            "1",
            "-1",
            " 2 ",
            "nan",
            "inf",
            "-inf",
            "1e400",
            "91",
            "-181",
            "55.75",
            "9" * 5000,
            "²",
            "١",
            "0x10",
            "image/jpeg",
            "audio/ogg",
            "whatsapp:+79990000000",
            "+79990000000",
            "x" * 70,
        ]
    )
    | st.integers().map(str)
    | st.floats().map(str)
)
twilio_forms = st.dictionaries(twilio_keys, twilio_values, max_size=12)


def _with(base: dict[str, str], extra: dict[str, str], drop: list[str]) -> dict[str, str]:
    form = {**base, **extra}
    for key in drop:
        form.pop(key, None)
    return form


def twilio_messages(prefix: str) -> Any:
    """A real incoming-message form from a random number, with fields overwritten or dropped."""
    valid = st.builds(
        lambda n, body: twilio_form(f"{prefix}+{n}", body), st.integers(10**10, 10**14), texts
    )
    return st.builds(_with, valid, twilio_forms, st.lists(st.sampled_from(TWILIO_FIELDS)))


def _status_form(recipient: str, code: str) -> dict[str, str]:
    return {
        "MessageSid": "SM" + "1" * 32,
        "MessageStatus": "failed",
        "ErrorCode": code,
        "To": recipient,
        "From": "whatsapp:+14155238886",
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
    }


status_forms = st.builds(
    _with,
    st.builds(
        _status_form,
        st.integers(10**10, 10**14).map(lambda n: f"whatsapp:+{n}") | st.text(max_size=30),
        st.sampled_from(["63016", "21610", "21211", "21614", "63003", "30003", "", "²", "٦٣٠١٦"])
        | st.just("1" * 5000)
        | st.text(max_size=10),
    ),
    twilio_forms,
    st.lists(st.sampled_from(["ErrorCode", "To", "MessageStatus"])),
)


def _viber_subscribed(user: str, token: int) -> dict[str, Any]:
    return {
        "event": "subscribed",
        "timestamp": 1_700_000_000_000,
        "message_token": token,
        "user": viber_sender(user),
    }


def _viber_unsubscribed(user: str, token: int) -> dict[str, Any]:
    return {
        "event": "unsubscribed",
        "timestamp": 1_700_000_000_000,
        "message_token": token,
        "user_id": user,
    }


viber_users = st.integers(10**9, 10**13).map(lambda n: f"fuzz-{n}==")
viber_tokens = st.integers(1, 2**62)
viber_events = st.one_of(
    st.builds(
        lambda u, t, k: viber_message(u, {"type": "text", "text": t}, k),
        viber_users,
        texts,
        viber_tokens,
    ),
    st.builds(
        lambda u, lat, lon, k: viber_message(
            u, {"type": "location", "location": {"lat": lat, "lon": lon}}, k
        ),
        viber_users,
        st.floats(-90, 90) | st.floats(),
        st.floats(-180, 180) | st.floats(),
        viber_tokens,
    ),
    st.builds(
        lambda u, k: viber_message(u, {"type": "picture", "media": "https://x/y.jpg"}, k),
        viber_users,
        viber_tokens,
    ),
    st.builds(viber_started, viber_users),
    st.builds(_viber_subscribed, viber_users, viber_tokens),
    st.builds(_viber_unsubscribed, viber_users, viber_tokens),
)
VIBER_FOCUS: list[Path] = [
    ("event",),
    ("message_token",),
    ("timestamp",),
    ("sender",),
    ("sender", "id"),
    ("sender", "language"),
    ("user",),
    ("user", "id"),
    ("user_id",),
    ("message",),
    ("message", "type"),
    ("message", "text"),
    ("message", "media"),
    ("message", "location"),
    ("message", "location", "lat"),
    ("message", "location", "lon"),
    ("message", "contact"),
    ("message", "contact", "phone_number"),
    ("desc",),
]

# Checks --------------------------------------------------------------------------------------


def check(response: httpx.Response, allowed: set[int], payload: Any) -> None:
    """The status is one the platform expects; a 400 says why in a JSON `detail`."""
    shown = repr(payload)[:2000]
    assert response.status_code < 500, f"{response.status_code} {response.text[:500]}\n{shown}"
    assert response.status_code in allowed, f"{response.status_code} {response.text[:500]}"
    if response.status_code == 400:
        detail = response.json()["detail"]
        assert isinstance(detail, str) and detail, response.text


def post_json(client: httpx.Client, path: str, body: bytes) -> httpx.Response:
    """Raw bytes with the right secret (Telegram) or signature (Viber) for them."""
    signature = hmac.new(VIBER_TOKEN.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
        "X-Viber-Content-Signature": signature,
    }
    return client.post(path, content=body, headers=headers)


def nothing_sent(stand: StandIns) -> None:
    """No call reached any platform, also after a moment for background sends to go out."""
    time.sleep(0.3)
    assert stand.calls() == []


# Bad input, exactly --------------------------------------------------------------------------
# (before the fuzz: its sends still going out in the background would blur "nothing sent")


@pytest.mark.parametrize("path", [TELEGRAM, VIBER])
@pytest.mark.parametrize(
    "body", [b"", b"{", b"not json", b'{"a": 1,}', b"\xff\xfe{}", b"{'a': 1}"]
)
def test_malformed_json_is_a_400_with_a_reason(
    client: httpx.Client, stand: StandIns, path: str, body: bytes
) -> None:
    response = post_json(client, path, body)
    assert response.status_code == 400, response.text
    assert "not JSON" in response.json()["detail"]
    assert stand.calls() == []


@pytest.mark.parametrize("path", [TELEGRAM, VIBER])
@pytest.mark.parametrize("body", [b"[]", b"[{}]", b"1", b'"update"', b"null", b"true"])
def test_json_that_is_not_an_object_is_a_400(
    client: httpx.Client, stand: StandIns, path: str, body: bytes
) -> None:
    response = post_json(client, path, body)
    assert response.status_code == 400, response.text
    assert "JSON object" in response.json()["detail"]
    assert stand.calls() == []


@pytest.mark.parametrize("path", [WA, SMS, STATUS])
def test_a_form_that_is_not_utf8_is_a_400(
    client: httpx.Client, stand: StandIns, path: str
) -> None:
    """Twilio sends UTF-8; bytes that are not cannot be checked against a signature."""
    response = client.post(
        path,
        content=b"MessageSid=SM1&From=%2B7999&Body=\xff\xfe\xc3",
        headers={
            "X-Twilio-Signature": "c2lnbmF0dXJl",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 400, response.text
    assert "UTF-8" in response.json()["detail"]
    assert stand.calls() == []


@pytest.mark.parametrize("secret", ["wrong", "", TELEGRAM_SECRET + "x", None])
def test_telegram_without_the_secret_is_a_403_and_nothing_happens(
    client: httpx.Client, stand: StandIns, secret: str | None
) -> None:
    update = tg_message(8_100_000_001, "/start")
    if secret is None:
        response = client.post(TELEGRAM, json=update)
    else:
        response = post_telegram(client, update, secret=secret)
    assert response.status_code == 403 and response.json()["detail"]
    nothing_sent(stand)


def _twilio_forgeries(path: str, form: dict[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
    """(signature, form actually sent) pairs that must all be refused."""
    good = RequestValidator(TWILIO_AUTH_TOKEN)
    yield RequestValidator("not-the-token").compute_signature(PUBLIC_URL + path, form), form
    other = SMS if path != SMS else WA
    yield good.compute_signature(PUBLIC_URL + other, form), form  # signed for another webhook
    yield good.compute_signature("http://127.0.0.1" + path, form), form  # for the wrong host
    yield good.compute_signature(PUBLIC_URL + path, form), {**form, "Body": "tampered"}
    yield "", form
    yield "garbage", form


@pytest.mark.parametrize("path", [WA, SMS, STATUS])
def test_twilio_with_a_wrong_signature_is_a_403_and_nothing_happens(
    client: httpx.Client, stand: StandIns, path: str
) -> None:
    sender = "whatsapp:+79991000001" if path == WA else "+79991000001"
    form = twilio_form(sender, "/start", ErrorCode="63016")
    for signature, sent in _twilio_forgeries(path, form):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature:
            headers["X-Twilio-Signature"] = signature
        response = client.post(path, content=urlencode(sent), headers=headers)
        assert response.status_code == 403, (signature, response.text)
        assert response.json()["detail"]
    missing = client.post(path, data=form)
    assert missing.status_code == 403
    nothing_sent(stand)


def test_viber_with_a_wrong_signature_is_a_403_and_nothing_happens(
    client: httpx.Client, stand: StandIns
) -> None:
    event = viber_message("forged-user==", {"type": "text", "text": "hi"})
    body = json.dumps(event).encode()
    assert post_viber(client, event, token="wrong").status_code == 403
    assert client.post(VIBER, json=event).status_code == 403
    right = hmac.new(VIBER_TOKEN.encode(), body, hashlib.sha256).hexdigest()
    for signature in ["", "zz", right[:-2], right + "00", right[::-1]]:
        response = client.post(
            VIBER, content=body, headers={"X-Viber-Content-Signature": signature}
        )
        assert response.status_code == 403, signature
    tampered = body.replace(b'"hi"', b'"ho"')
    response = client.post(VIBER, content=tampered, headers={"X-Viber-Content-Signature": right})
    assert response.status_code == 403
    nothing_sent(stand)


def _over_limit() -> Iterator[bytes]:
    """Just over 1 MB, in 64 KB chunks, so httpx sends it chunked with no Content-Length."""
    chunk = b"a" * 65536
    for _ in range(MB // len(chunk)):
        yield chunk
    yield b"a"


BIG_HEADERS = {
    "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
    "X-Twilio-Signature": "c2lnbmF0dXJl",
    "X-Viber-Content-Signature": "00",
}


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("path", [TELEGRAM, WA, SMS, STATUS, VIBER])
def test_a_body_over_1mb_is_a_413(
    client: httpx.Client, stand: StandIns, path: str, chunked: bool
) -> None:
    """Checked while reading, so a body without a Content-Length is cut off too."""
    if chunked:
        response = client.post(path, content=_over_limit(), headers=BIG_HEADERS)
        assert "content-length" not in response.request.headers
    else:
        response = client.post(path, content=b"a" * (MB + 1), headers=BIG_HEADERS)
    assert response.status_code == 413, response.text
    assert "larger" in response.json()["detail"]
    assert stand.calls() == []


def test_exactly_1mb_is_not_refused_for_its_size(client: httpx.Client) -> None:
    """The limit is inclusive: a 1 MB JSON object is read and judged on its content."""
    body = b'{"update_id": 1, "pad": "' + b"a" * MB
    body = body[: MB - 2] + b'"}'
    assert len(body) == MB
    response = post_json(client, TELEGRAM, body)
    assert response.status_code in {200, 400}, response.text


POLL = {
    "id": "5",
    "question": "?",
    "options": [
        {"persistent_id": "a", "text": "a", "voter_count": 1},
        {"persistent_id": "b", "text": "b", "voter_count": 0},
    ],
    "total_voter_count": 1,
    "is_closed": False,
    "is_anonymous": True,
    "type": "regular",
    "allows_multiple_answers": False,
    "allows_revoting": False,
    "members_only": False,
}


@pytest.mark.parametrize(
    "kind",
    [
        {"poll": POLL},
        {"some_future_kind": {}},
        {"some_future_kind": {"nested": [1, 2]}},
        {"edited_message": tg_message(8_100_000_002, "edited")["message"]},
        {},
    ],
    ids=["poll", "future-kind", "future-kind-with-data", "edited-message", "no-kind"],
)
def test_an_unknown_telegram_update_kind_is_a_200_ignored_and_logged(
    client: httpx.Client, stand: StandIns, caplog: pytest.LogCaptureFixture, kind: dict[str, Any]
) -> None:
    caplog.set_level(logging.INFO, logger="musofir.bots.telegram.routes")
    update_id = time.monotonic_ns() % 2**40
    response = post_telegram(client, {"update_id": update_id, **kind})
    assert response.status_code == 200 and not response.content, response.text
    nothing_sent(stand)
    assert any(f"telegram update {update_id} ignored" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("chat_type", ["group", "supergroup", "channel"])
def test_a_telegram_message_in_a_group_is_a_200_and_ignored(
    client: httpx.Client, stand: StandIns, chat_type: str
) -> None:
    """The bot serves one-to-one chats only; it does not answer in groups."""
    update = tg_message(8_100_000_003, "/start")
    update["message"]["chat"] = {"id": -1001234567890, "type": chat_type, "title": "Group"}
    response = post_telegram(client, update)
    assert response.status_code == 200 and not response.content, response.text
    nothing_sent(stand)


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(91.0, 0.0), (0.0, -181.0), (2.0**31, 0.0), (float("nan"), 0.0), (0.0, float("inf"))],
)
def test_telegram_coordinates_off_the_globe_are_not_a_5xx(
    client: httpx.Client, stand: StandIns, latitude: float, longitude: float
) -> None:
    """aiogram takes any float; the engine's Location refuses these, which must not crash."""
    update = tg_message(8_100_000_004, location=(10.0, 10.0))
    update["message"]["location"] = {"latitude": latitude, "longitude": longitude}
    check(post_json(client, TELEGRAM, json.dumps(update).encode()), {200, 400}, update)


@pytest.mark.parametrize(
    "location", [{"lat": 91, "lon": 0}, {"lat": 0, "lon": -181}, {"lat": "x", "lon": 0}]
)
def test_viber_coordinates_off_the_globe_are_a_400(
    client: httpx.Client, stand: StandIns, location: dict[str, Any]
) -> None:
    event = viber_message("far-away==", {"type": "location", "location": location})
    response = post_viber(client, event)
    assert response.status_code == 400 and "location" in response.json()["detail"]
    nothing_sent(stand)


@pytest.mark.parametrize(
    ("latitude", "longitude"), [("91", "0"), ("0", "-181"), ("nan", "0"), ("north", "0")]
)
def test_twilio_coordinates_off_the_globe_are_a_400(
    client: httpx.Client, stand: StandIns, latitude: str, longitude: str
) -> None:
    form = twilio_form("whatsapp:+79991000002", "", Latitude=latitude, Longitude=longitude)
    response = post_twilio(client, WA, form)
    assert response.status_code == 400 and response.json()["detail"]
    nothing_sent(stand)


def test_twilio_status_with_an_odd_error_code_is_a_204_and_marks_no_one(
    client: httpx.Client, stand: StandIns, channel_server: LiveServer
) -> None:
    """Only Twilio's own codes, spelled as Twilio spells them, mark a person unreachable."""
    recipient = "whatsapp:+79991000003"
    key = channel_server.runtime.engine.user_key_for("whatsapp", recipient)
    people = channel_server.runtime.storage.people
    for body in ["hi", "7"]:  # a person is recorded once they pick a language (7: English)
        assert post_twilio(client, WA, twilio_form(recipient, body)).status_code == 200
        stand.wait_sent("twilio", 1)
        stand.clear()
    deadline = time.monotonic() + 10
    while people.public(key) is None:
        assert time.monotonic() < deadline, "the person was never recorded"
        time.sleep(0.05)

    def report(code: str) -> int:
        form = {**twilio_form(recipient), "ErrorCode": code, "To": recipient}
        return post_twilio(client, STATUS, {**form, "MessageStatus": "failed"}).status_code

    for code in ["²", "1" * 5000, "٦٣٠١٦", " 63016", "063016", "63016.0"]:
        assert report(code) == 204, code
        assert people.unreachable_reason(key) is None, code
    assert report("63016") == 204  # the same report with the real code does mark them
    assert people.unreachable_reason(key) == "whatsapp_window"


# Fuzz ----------------------------------------------------------------------------------------


@fuzz
@given(data=json_values)
def test_telegram_survives_any_json(client: httpx.Client, data: Any) -> None:
    """Whatever JSON arrives with the right secret, the answer is 200 or a 400 with a reason."""
    check(post_json(client, TELEGRAM, json.dumps(data).encode()), {200, 400}, data)


@fuzz
@given(update=mutations(telegram_updates, TELEGRAM_FOCUS))
def test_telegram_survives_broken_updates(client: httpx.Client, update: dict[str, Any]) -> None:
    """Updates a few edits away from valid reach deepest: the parser, the engine, the reply."""
    check(post_json(client, TELEGRAM, json.dumps(update).encode()), {200, 400}, update)


@fuzz
@given(form=twilio_forms)
@pytest.mark.parametrize("path", [WA, SMS])
def test_twilio_survives_any_form(client: httpx.Client, path: str, form: dict[str, str]) -> None:
    """Any signed form of random fields is answered 200 or 400, never a crash."""
    check(post_twilio(client, path, form), {200, 400}, form)


@fuzz
@given(data=st.data())
@pytest.mark.parametrize(("path", "prefix"), [(WA, "whatsapp:"), (SMS, "")])
def test_twilio_survives_broken_messages(
    client: httpx.Client, path: str, prefix: str, data: st.DataObject
) -> None:
    """Real forms with odd coordinates, media counts and missing fields."""
    form = data.draw(twilio_messages(prefix))
    check(post_twilio(client, path, form), {200, 400}, form)


@fuzz
@given(form=status_forms | twilio_forms)
def test_twilio_status_survives_any_form(client: httpx.Client, form: dict[str, str]) -> None:
    """Delivery reports with any error code or recipient are taken (204) or refused (400)."""
    check(post_twilio(client, STATUS, form), {204, 400}, form)


@fuzz
@given(data=json_values)
def test_viber_survives_any_json(client: httpx.Client, data: Any) -> None:
    """Whatever signed JSON arrives, the answer is 200 or a 400 with a reason."""
    check(post_json(client, VIBER, json.dumps(data).encode()), {200, 400}, data)


@fuzz
@given(event=mutations(viber_events, VIBER_FOCUS))
def test_viber_survives_broken_events(client: httpx.Client, event: dict[str, Any]) -> None:
    """Message, start and subscription events a few edits away from valid."""
    check(post_json(client, VIBER, json.dumps(event).encode()), {200, 400}, event)
