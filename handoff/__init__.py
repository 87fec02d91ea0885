"""Cases, queues and the specialists' web console: a person handed from the bot to a human.

The menu and the routing to "Talk to a specialist" already exist in ``dialogs``; the cases, the
queue and the console arrive with the handoff issue. What the console may show about a person is
``musofir.storage.PersonPublic``: a pseudonym and a language, never a phone number.
"""
