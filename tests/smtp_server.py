"""A real SMTP server on a free local port (aiosmtpd), collecting what it receives."""

import email
import email.policy
import re
import socket
import time

from aiosmtpd.controller import Controller

_LINK = re.compile(r"https?://\S+")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Collect:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self._handler = _Collect()
        self.port = _free_port()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)

    def start(self):
        self._controller.start()

    def stop(self):
        self._controller.stop()

    @property
    def messages(self):
        return self._handler.messages

    def clear(self):
        self._handler.messages.clear()

    def to(self, address: str, *, wait: float = 5.0) -> list:
        """Messages received for ``address``, waiting up to ``wait`` seconds for one."""
        deadline = time.monotonic() + wait
        while True:
            found = [m for m in self.messages if m["To"] == address]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def link_to(self, address: str, contains: str) -> str:
        """The last link containing ``contains`` in mail to ``address``."""
        for message in reversed(self.to(address)):
            for link in _LINK.findall(message.get_content()):
                if contains in link:
                    return link
        raise AssertionError(f"no mail to {address} with a link containing {contains!r}")


def smtp_config(server: SmtpServer) -> dict:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": server.port, "SMTP_STARTTLS": False}
