"""Mail backends for tests of mail failures."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class RefusingBackend(EmailBackend):
    """The in-memory test backend, except that the server refuses any mail to an address containing
    "unreachable", as a real SMTP server refuses a bad recipient."""

    def send_messages(self, messages):
        for message in messages:
            refused = [address for address in message.recipients() if "unreachable" in address]
            if refused:
                raise smtplib.SMTPRecipientsRefused({address: (550, b"mailbox unavailable") for address in refused})
        return super().send_messages(messages)
