"""The web chat in a real Chromium, as a person on a phone uses it."""

from __future__ import annotations

import re
from pathlib import Path

from musofir.dialogs import Outbound
from playwright.sync_api import Browser, Page, ViewportSize, expect
from utils.live import LiveServer

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PHONE: ViewportSize = {"width": 360, "height": 740}


def bot(page: Page) -> str:
    return page.locator(".msg-bot").last.inner_text()


def tap(page: Page, payload: str) -> None:
    page.locator(f'button.chip[data-payload="{payload}"]:not([disabled])').last.click()


def send(page: Page, text: str) -> None:
    page.fill("#input", text)
    page.click("#send")


def phone_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    return context.new_page()


def open_chat(browser: Browser, server: LiveServer, language: str) -> Page:
    """A phone opening the chat and choosing a language."""
    page = phone_page(browser)
    page.goto(f"{server.url}/chat")
    tap(page, f"lang:{language}")
    return page


def test_choose_a_language_tap_a_topic_type_a_question_see_the_answer(
    browser: Browser, demo_server: LiveServer
) -> None:
    page = phone_page(browser)
    page.goto(f"{demo_server.url}/chat")
    expect(page.locator('button.chip[data-payload="lang:uz"]')).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "webchat-phone-languages.png")

    tap(page, "lang:uz")
    expect(page.locator('button.chip[data-payload="cat:legal"]')).to_be_visible()
    expect(page.locator("#input")).to_have_attribute("placeholder", re.compile("savol", re.I))
    tap(page, "cat:legal")
    tap(page, "topic:documents.lost")
    expect(page.locator('button.chip[data-payload="helpful:documents.lost"]')).to_be_visible()

    send(page, "patent pulini qachon to'lash kerak")
    expect(page.locator(".msg-user").last).to_have_text("patent pulini qachon to'lash kerak")
    expect(page.locator('button.chip[data-payload="helpful:patent.payment"]')).to_be_visible()
    assert "Manbalar" in page.locator("#messages").inner_text()  # sources, in Uzbek
    # Only the newest message's buttons can be tapped.
    expect(page.locator('button.chip[data-payload="cat:legal"]').first).to_be_disabled()
    page.screenshot(path=SCREENSHOTS / "webchat-phone-answer.png")
    page.context.close()


def test_a_reload_resumes_the_conversation(browser: Browser, demo_server: LiveServer) -> None:
    page = open_chat(browser, demo_server, "ru")
    send(page, "как оплатить патент")
    expect(page.locator('button.chip[data-payload="helpful:patent.payment"]')).to_be_visible()
    before = page.locator(".msg").count()
    page.reload()
    expect(page.locator('button.chip[data-payload="helpful:patent.payment"]')).to_be_visible()
    assert page.locator(".msg").count() == before
    expect(page.locator("#input")).to_have_attribute("placeholder", re.compile("вопрос", re.I))
    page.context.close()


def test_a_message_from_the_server_arrives_without_reloading(
    browser: Browser, demo_server: LiveServer
) -> None:
    page = open_chat(browser, demo_server, "en")
    expect(page.locator('button.chip[data-payload="cat:legal"]')).to_be_visible()
    session = next(c["value"] for c in page.context.cookies() if c["name"] == "musofir_chat")
    demo_server.push(session, Outbound(text="A lawyer answers: please bring your patent."))
    expect(page.locator(".msg-bot").last).to_contain_text("A lawyer answers", timeout=10_000)
    page.context.close()


def test_when_location_is_refused_the_person_types_a_town(
    browser: Browser, demo_server: LiveServer
) -> None:
    page = open_chat(browser, demo_server, "ky")  # no geolocation permission: the browser refuses
    tap(page, "services")
    tap(page, "svc:legal_aid")
    page.locator('button.chip[data-payload="share_location"]').click()  # the bot's own button
    catalogs = demo_server.runtime.engine.services.catalogs
    expect(page.locator("#messages")).to_contain_text(catalogs.text("ky", "web.location_denied"))
    expect(page.locator("#input")).to_be_focused()
    send(page, "Казань")
    expect(page.locator("#messages")).to_contain_text(
        catalogs.text("ky", "services.got_town", town="Казань")
    )
    expect(
        page.locator(".msg-bot .venue, .msg-bot a[href*='openstreetmap']").first
    ).to_be_visible()
    page.context.close()


def test_a_shared_location_brings_service_cards_with_map_links(
    browser: Browser, demo_server: LiveServer
) -> None:
    context = browser.new_context(
        viewport=PHONE,
        geolocation={"latitude": 55.7887, "longitude": 49.1221},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(f"{demo_server.url}/chat")
    tap(page, "lang:ru")
    tap(page, "services")
    tap(page, "svc:testing")
    page.click("#share-location")
    catalogs = demo_server.runtime.engine.services.catalogs
    expect(page.locator("#messages")).to_contain_text(catalogs.text("ru", "services.got_location"))
    expect(page.locator("#messages")).to_contain_text(catalogs.text("ru", "services.sample"))
    osm = page.locator(".msg-bot a[href*='openstreetmap.org']")
    expect(osm.first).to_be_visible()
    assert page.locator(".msg-bot a[href*='yandex.ru/maps']").count() >= 2
    page.screenshot(path=SCREENSHOTS / "webchat-phone-services.png")
    context.close()


def test_first_load_is_small_and_asks_nothing_from_other_hosts(
    browser: Browser, demo_server: LiveServer
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sizes: dict[str, int] = {}
    page.on(
        "response",
        lambda r: sizes.__setitem__(
            r.url, len(r.body()) if r.ok and "/events" not in r.url else 0
        ),
    )
    page.goto(f"{demo_server.url}/chat")
    expect(page.locator('button.chip[data-payload="lang:ru"]')).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert all(url.startswith(demo_server.url) for url in sizes), sorted(sizes)
    assert sum(sizes.values()) <= 100_000, sizes
    context.close()


def test_the_page_fits_a_desktop_too(page: Page, demo_server: LiveServer) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{demo_server.url}/chat")
    tap(page, "lang:hy")
    expect(page.locator('button.chip[data-payload="cat:health"]')).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "webchat-desktop-armenian.png")
    width = page.evaluate("document.querySelector('#messages').getBoundingClientRect().width")
    assert width <= 640


def test_erasing_my_data_clears_the_screen_too(browser: Browser, demo_server: LiveServer) -> None:
    page = open_chat(browser, demo_server, "tg")
    send(page, "патентро чи тавр гирифтан мумкин")
    expect(page.locator('button.chip[data-payload="helpful:patent.obtain"]')).to_be_visible()
    send(page, "/forget")
    tap(page, "forget:yes")
    catalogs = demo_server.runtime.engine.services.catalogs
    expect(page.locator(".msg")).to_have_count(1)
    expect(page.locator(".msg-bot")).to_have_text(catalogs.text("tg", "forget.done"))
    page.reload()
    expect(page.locator(".msg-bot").first).to_have_text(catalogs.text("tg", "forget.done"))
    page.context.close()


def test_a_long_answer_is_shown_from_its_start(browser: Browser, demo_server: LiveServer) -> None:
    page = open_chat(browser, demo_server, "ru")
    send(page, "как получить патент на работу")
    expect(page.locator('button.chip[data-payload="helpful:patent.obtain"]')).to_be_visible()
    page.wait_for_timeout(300)
    user_bubble = page.locator(".msg-user").last
    first_answer = user_bubble.locator("xpath=following-sibling::div[1]")
    box = first_answer.bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"] / 2, box
    page.screenshot(path=SCREENSHOTS / "webchat-phone-long-answer.png")
    page.context.close()
