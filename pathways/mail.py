"""The one way mail leaves Pathways.

`MAIL_BACKEND` picks how: "log" writes each message to the log (development),
"memory" appends it to `app.extensions["outbox"]` (tests), "smtp" sends it.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault("outbox", []).append(message)
    elif backend == "smtp":
        with smtplib.SMTP(config["MAIL_SERVER"]) as smtp:
            smtp.send_message(message)
    else:
        log.info("mail to %s: %s\n%s", to, subject, body)
