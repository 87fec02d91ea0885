"""A specialist's reply after WhatsApp's 24-hour window: the template goes, the reply follows.

Real server, signed Twilio webhooks, the Twilio stand-in on loopback.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
from musofir.storage.models import Case, CaseMessage, StaffMember, StaffRole
from musofir.storage.staff import add_staff
from sqlmodel import Session, select
from utils.live import LiveServer, run_server
from utils.platforms import channel_settings, post_twilio, twilio_form
from utils.standins import StandIns

from musofir.settings import Settings

WA = "/webhooks/whatsapp"
TEMPLATE = "HX" + "c" * 32


def say(http: httpx.Client, stand: StandIns, sender: str, body: str, replies: int) -> list[Any]:
    response = post_twilio(http, WA, twilio_form(sender, body=body))
    assert response.status_code == 200, response.text
    sent = stand.wait_sent("twilio", replies) if replies else []
    stand.clear()
    return [c.params for c in sent]


def on_loop(server: LiveServer, coroutine: Any) -> Any:
    return asyncio.run_coroutine_threadsafe(coroutine, server.loop).result(timeout=30)


async def a_day_passes(server: LiveServer, key: str) -> None:
    """The person's last message is now 25 hours old: WhatsApp's window has closed."""
    store = server.runtime.store
    conversation = await store.load(key)
    conversation.last_inbound_at = time.time() - 25 * 3600
    await store.save(key, conversation)


def test_a_reply_after_the_window_waits_for_the_person_and_then_arrives(
    stand: StandIns, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "twilio-content.yaml").write_text(f"reengage: {TEMPLATE}\n", encoding="utf-8")
    env = channel_settings(stand.telegram_base, stand.twilio_base, stand.viber_base)
    hours = {"hours_lawyer": "24/7"}
    for server in run_server(Settings.model_validate({"data_dir": data, **env, **hours})):
        runtime = server.runtime
        engine = runtime.storage.engine
        add_staff(
            engine, username="aziza", display_name="Aziza", role=StaffRole.LAWYER,
            password="a long enough password",
        )  # fmt: skip
        with Session(engine) as session:
            lawyer = session.exec(select(StaffMember)).one()
            session.expunge(lawyer)
        me = "whatsapp:+79990000811"
        with httpx.Client(base_url=server.url, timeout=30) as http:
            say(http, stand, me, "salom", 1)
            say(http, stand, me, "2", 1)  # Uzbek: welcome and the menu, in one message
            say(http, stand, me, "yurist", 1)
            say(http, stand, me, "ish haqimni bermayapti", 1)
            with Session(engine) as session:
                case = session.exec(select(Case)).one()
            key = case.person_key

            on_loop(server, a_day_passes(server, key))
            delivery = on_loop(
                server, runtime.console.actions.reply(lawyer, case.id or 0, "Shartnomangiz bormi?")
            )
            assert delivery == "waiting"
            invitation = stand.wait_sent("twilio", 1)[0].params
            assert invitation["ContentSid"] == TEMPLATE and "Body" not in invitation
            stand.clear()
            with Session(engine) as session:
                waiting = session.get(Case, case.id)
                assert waiting is not None and waiting.waiting_window
            # A second reply meanwhile waits too, without a second invitation.
            assert (
                on_loop(
                    server, runtime.console.actions.reply(lawyer, case.id or 0, "Yozib qoldiring.")
                )
                == "waiting"
            )
            time.sleep(0.3)
            assert stand.sent("twilio") == []

            # The person comes back (taps the template's button, or writes): both replies follow.
            (sent,) = say(http, stand, me, "ha", 1)  # one WhatsApp message carries the turn
            body = sent["Body"]
            assert body.index("Shartnomangiz bormi?") < body.index("Yozib qoldiring.")
            with Session(engine) as session:
                after = session.get(Case, case.id)
                assert after is not None and not after.waiting_window
                states = session.exec(
                    select(CaseMessage.delivery).where(CaseMessage.author == "staff")
                ).all()
                assert states == ["sent", "sent"]
                person_said = session.exec(
                    select(CaseMessage.text).where(CaseMessage.author == "person")
                ).all()
                assert person_said[-1] == "ha"  # and their message reached the lawyer
