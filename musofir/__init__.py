"""Musofir: a help desk for labour migrants in the messengers they already use."""

__version__ = "0.1.0"
