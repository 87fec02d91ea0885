"""Telegram through aiogram 3: webhook or polling in; Bot API calls (or the response) out."""
