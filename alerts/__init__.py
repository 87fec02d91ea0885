"""Alerts and reminders: subscriptions, staff broadcasts, personal deadlines, and the workers.

A package of its own because none of the others names the concern: it is neither a messenger
adapter (bots), a conversation (dialogs) nor a case (handoff). It reaches people through a push
function the composition root hands in, so it imports no messenger SDK.
"""
