"""The yardstick: a minimal aiogram echo bot behind aiogram's own webhook handler.

    python bench/aiogram_echo.py --port 8081 --api http://127.0.0.1:9000/telegram --form api|inline

``api``: the handler awaits ``message.answer(...)`` (one Bot API call per update) and the webhook
answers after it. ``inline``: the handler returns the method, which rides in the webhook response.
Both use ``handle_in_background=False`` so that, as for Musofir, the response means "answered".
"""

from __future__ import annotations

import argparse
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

TOKEN = "123:TEST"
SECRET = "bench-secret"


def build(api: str, form: str) -> web.Application:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api)))
    router = Router()

    if form == "api":

        @router.message(F.text)
        async def echo_api(message: Message) -> None:
            await message.answer(message.text or "")

    else:

        @router.message(F.text)
        async def echo_inline(message: Message) -> Any:
            return message.answer(message.text or "")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    app = web.Application()
    SimpleRequestHandler(
        dispatcher=dispatcher, bot=bot, handle_in_background=False, secret_token=SECRET
    ).register(app, path="/webhooks/telegram")
    setup_application(app, dispatcher, bot=bot)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--form", choices=("api", "inline"), required=True)
    args = parser.parse_args()
    web.run_app(build(args.api, args.form), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
