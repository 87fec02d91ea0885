"""Cases, queues and the specialists' web console: a person handed from the bot to a human.

The engine calls ``desk.Desk`` through the ``HelpDesk`` protocol of ``musofir.dialogs.desk``;
the console under ``/console`` acts through ``actions.ConsoleActions``, where the role firewall
and the audit log live. What a specialist may see about a person: a pseudonym, a language, the
channel kind and a town, never a phone number or a messenger id.
"""
