"""Viber's REST bot API: signed JSON callbacks in, ``send_message`` out, through httpx.

The ``viberbot`` SDK is synchronous (``requests``), targets Python 2.7 and has not changed since
2021; a small typed client on httpx keeps the event loop free and is all the API needs.
"""
