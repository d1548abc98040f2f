"""stdlib/Mail.cpy: sendMail delivers to a real SMTP server (aiosmtpd) on loopback.

Covered: the headers (From, To, Subject, Date, Message-ID, Content-Type) and UTF-8
subjects and bodies; bcc recipients receive the message but are not in its headers;
receiver and bcc as comma-separated strings or lists; sending from a view over HTTP,
with the server taken from a [mail] section or from a subclass's `smtpServer` and
`smtpPort` (which win over the section); header injection and bad addresses refused;
bad [mail] values named; STARTTLS with certificate verification, then AUTH; an
unreachable server and a server that never answers give a clear MailError naming the
host and port.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import socket
import ssl
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import pytest

from servers import ServerProcess, compile_site, free_port, self_signed_certificate
from support import import_module_file

controller_module = pytest.importorskip("aiosmtpd.controller")
smtp_module = pytest.importorskip("aiosmtpd.smtp")

SITE = """\
use Mail

CherryClass RelayMail(Mail):
function:
    def __init__(self):
        # The 0.x way: the subclass names its server; it wins over [mail] host and port.
        self.smtpServer = configFile.get("relay", "host")
        self.smtpPort = configFile.get("relay", "port")

CherryClass Root:
view:
    def send(self, receiver, subject, body, bcc="", contentType="text/plain", via="mail"):
        sender = relayMail if via == "relay" else mail
        response.headerMap["content-type"] = "text/plain; charset=utf-8"
        try:
            refused = sender.sendMail("Web Site <site@example.com>", receiver, bcc,
                                      contentType, subject, body)
        except MailError as exc:
            response.headerMap["status"] = 400
            return str(exc)
        return "sent, %d refused" % len(refused)
"""

SENDER = "site@example.com"
USER, PASSWORD = "mailer", "s3cret-Pa55"


@dataclass
class Received:
    """One message as the SMTP server got it: envelope and parsed content."""

    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage


@dataclass
class Recorder:
    """The aiosmtpd handler: keeps every message it accepts."""

    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # As a mailbox would store it: lines end with \n, not the wire's \r\n.
        content = envelope.original_content.replace(b"\r\n", b"\n")
        message = email.message_from_bytes(content, policy=email.policy.default)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def only(self) -> Received:
        """The one message received (smtplib returns after the 250, so it is here)."""
        with self.lock:
            assert len(self.messages) == 1, self.messages
            return self.messages[0]


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: Recorder


@contextmanager
def running_smtp(**options: Any) -> Iterator[SmtpServer]:
    """An aiosmtpd server (Controller `options`) on a free loopback port, recording what it
    receives; stopped at the end."""
    recorder = Recorder()
    port = free_port()
    controller = controller_module.Controller(recorder, hostname="127.0.0.1", port=port,
                                              **options)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, recorder)
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def plain_smtp() -> Iterator[SmtpServer]:
    with running_smtp() as server:
        yield server


@pytest.fixture
def smtp(plain_smtp: SmtpServer) -> SmtpServer:
    """The module's plain SMTP server, its inbox emptied for each test."""
    plain_smtp.recorder.messages.clear()
    return plain_smtp


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mail_site")
    compile_site(folder, SITE)
    return folder


@pytest.fixture
def module(site: Path) -> ModuleType:
    """A fresh import of the compiled module (its own `configFile`), for direct calls."""
    return import_module_file(site / "siteServer.py")


def mailer(module: ModuleType, smtp: SmtpServer | None = None, **attributes: Any) -> Any:
    """The module's Mail class, instantiated, pointed at `smtp` (attributes win)."""
    instance = module.Mail()
    if smtp is not None:
        instance.smtpServer, instance.smtpPort = smtp.host, smtp.port
    for name, value in attributes.items():
        setattr(instance, name, value)
    return instance


# ---- the message ---------------------------------------------------------------------------


def test_headers_and_utf8_body(module: ModuleType, smtp: SmtpServer) -> None:
    refused = mailer(module, smtp).sendMail(
        f"Shop <{SENDER}>", "Zoë <zoe@example.org>, bob@example.org", "", "text/plain",
        "Grüße from the shop ✓", "Dear Zoë,\nyour order ships today: 3 × tea.\n")
    assert refused == {}
    got = smtp.recorder.only()
    assert got.mail_from == SENDER
    assert got.rcpt_tos == ["zoe@example.org", "bob@example.org"]
    message = got.message
    assert message["From"] == f"Shop <{SENDER}>"
    assert message["To"] == "Zoë <zoe@example.org>, bob@example.org"
    assert message["Subject"] == "Grüße from the shop ✓"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content() == "Dear Zoë,\nyour order ships today: 3 × tea.\n"
    assert message["Date"].datetime.tzinfo is not None
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@example.com>")
    assert message["MIME-Version"] == "1.0"


def test_bcc_receives_but_is_not_in_the_headers(module: ModuleType, smtp: SmtpServer) -> None:
    mailer(module, smtp).sendMail(SENDER, ["ann@example.org"],
                                  "hidden@example.net, Other <other@example.net>",
                                  "text/html", "Report", "<p>Done</p>")
    got = smtp.recorder.only()
    assert got.rcpt_tos == ["ann@example.org", "hidden@example.net", "other@example.net"]
    raw = got.message.as_string()
    assert "hidden@example.net" not in raw and "other@example.net" not in raw
    assert "Bcc" not in got.message
    assert got.message["To"] == "ann@example.org"
    assert got.message.get_content_type() == "text/html"
    assert got.message.get_content() == "<p>Done</p>\n"


def test_bcc_only(module: ModuleType, smtp: SmtpServer) -> None:
    mailer(module, smtp).sendMail(SENDER, "", ["a@example.org", "b@example.org"],
                                  "text/plain", "Newsletter", "News")
    got = smtp.recorder.only()
    assert got.rcpt_tos == ["a@example.org", "b@example.org"]
    assert "To" not in got.message


def test_body_lines_are_sent_as_written(module: ModuleType, smtp: SmtpServer) -> None:
    body = "From the shop:\n.\n..dots\nFrom here on, " + "long line " * 120 + "\n"
    mailer(module, smtp).sendMail(SENDER, "ann@example.org", "", "text/plain", "Lines", body)
    assert smtp.recorder.only().message.get_content() == body


def test_each_message_has_its_own_message_id(module: ModuleType, smtp: SmtpServer) -> None:
    instance = mailer(module, smtp)
    for _ in range(2):
        instance.sendMail(SENDER, "ann@example.org", "", "text/plain", "Hi", "Hi")
    ids = {received.message["Message-ID"] for received in smtp.recorder.messages}
    assert len(ids) == 2


# ---- refused input -------------------------------------------------------------------------


@pytest.mark.parametrize("case, arguments, message", [
    ("subject", {"subject": "Hi\r\nBcc: victim@example.org"}, "line breaks are not allowed in the subject"),
    ("receiver", {"receiver": "ann@example.org\nBcc: victim@example.org"}, "line breaks are not allowed in the receiver"),
    ("bcc", {"bcc": ["ok@example.org", "x@example.org\rCc: y@example.org"]}, "line breaks are not allowed in the bcc"),
    ("sender", {"sender": "site@example.com\nBcc: victim@example.org"}, "line breaks are not allowed in the sender"),
    ("contentType", {"contentType": "text/plain\nBcc: v@example.org"}, "line breaks are not allowed in the contentType"),
    ("unicode line separator", {"subject": "Hi\u2028Bcc: victim@example.org"}, "line breaks are not allowed in the subject"),
    ("bad sender", {"sender": "not an address"}, "the sender is not an e-mail address or a comma-separated list of them: 'not an address'"),
    ("two senders", {"sender": "a@example.org, b@example.org"}, "sender must be one e-mail address"),
    ("bad receiver", {"receiver": "ann@example.org, nobody"}, "the receiver is not an e-mail address .*: 'ann@example.org, nobody'"),
    ("bad bcc", {"bcc": ["ok@example.org", "a@b c@d"]}, "the bcc is not an e-mail address .*: 'a@b c@d'"),
    ("no recipient", {"receiver": "", "bcc": []}, "at least one receiver or bcc address"),
    ("not text", {"contentType": "image/png"}, "contentType must be a text type"),
])  # fmt: skip
def test_bad_input_is_refused_before_connecting(module: ModuleType, smtp: SmtpServer, case: str,
                                               arguments: dict[str, Any], message: str) -> None:
    call = {"sender": SENDER, "receiver": "ann@example.org", "bcc": "",
            "contentType": "text/plain", "subject": "Hello", "body": "Body"}
    call.update(arguments)
    with pytest.raises(module.MailError, match=message):
        mailer(module, smtp).sendMail(**call)
    assert smtp.recorder.messages == []


# ---- settings ------------------------------------------------------------------------------


def test_mail_section_sets_the_server(module: ModuleType, smtp: SmtpServer) -> None:
    module.configFile.read_dict({"mail": {"host": smtp.host, "port": str(smtp.port),
                                          "timeout": "5"}})
    mailer(module).sendMail(SENDER, "ann@example.org", "", "text/plain", "Hi", "From config")
    assert smtp.recorder.only().message.get_content() == "From config\n"


def test_host_with_port(module: ModuleType, smtp: SmtpServer) -> None:
    mailer(module, smtpServer=f"{smtp.host}:{smtp.port}").sendMail(
        SENDER, "ann@example.org", "", "text/plain", "Hi", "host:port")
    assert smtp.recorder.only().rcpt_tos == ["ann@example.org"]


def test_settings_defaults_and_precedence(module: ModuleType) -> None:
    assert mailer(module).mailSettings() == {
        "host": "localhost", "port": 25, "starttls": False, "user": "", "password": "",
        "timeout": 10.0, "cafile": ""}
    module.configFile.read_dict({"mail": {"host": "mail.example.org", "port": "587",
                                          "starttls": "1", "user": "u", "password": "p"}})
    settings = mailer(module, smtpServer="relay.example.org", smtpStartTls=False).mailSettings()
    assert settings["host"] == "relay.example.org" and settings["starttls"] is False
    assert settings["port"] == 587 and settings["user"] == "u" and settings["password"] == "p"


@pytest.mark.parametrize("options, message", [
    ({"port": "smtp"}, r"\[mail\] port = 'smtp': expected a port number from 1 to 65535"),
    ({"port": "70000"}, r"\[mail\] port = '70000': expected a port number"),
    ({"timeout": "0"}, r"\[mail\] timeout = '0': expected a number of seconds above 0"),
    ({"starttls": "maybe"}, r"\[mail\] starttls = 'maybe': expected 0 or 1"),
    ({"passwd": "x"}, r"\[mail\] passwd: unknown option \(the options of \[mail\] are host, port"),
])
def test_bad_mail_section_is_named(module: ModuleType, options: dict[str, str], message: str) -> None:
    module.configFile.read_dict({"mail": options})
    with pytest.raises(module.MailError, match=message):
        mailer(module).sendMail(SENDER, "ann@example.org", "", "text/plain", "Hi", "Hi")


# ---- over HTTP -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def relay_smtp() -> Iterator[SmtpServer]:
    with running_smtp() as server:
        yield server


@pytest.fixture(scope="module")
def web(site: Path, plain_smtp: SmtpServer, relay_smtp: SmtpServer) -> Iterator[ServerProcess]:
    """The site on a free port: [mail] names one SMTP server, [relay] another (RelayMail)."""
    extra = (f"[mail]\nhost = {plain_smtp.host}\nport = {plain_smtp.port}\ntimeout = 5\n"
             f"[relay]\nhost = {relay_smtp.host}\nport = {relay_smtp.port}\n")
    with ServerProcess(site, extra=extra) as process:
        yield process


@pytest.mark.parametrize("via", ["mail", "relay"])
def test_view_sends_over_http(web: ServerProcess, smtp: SmtpServer, relay_smtp: SmtpServer,
                              via: str) -> None:
    relay_smtp.recorder.messages.clear()
    reply = web.post("/send", {"receiver": "ann@example.org", "bcc": "boss@example.org",
                               "subject": "Commande n° 42", "body": "Merci beaucoup, à bientôt !",
                               "via": via})
    assert (reply.status, reply.text) == (200, "sent, 0 refused")
    chosen, other = (relay_smtp, smtp) if via == "relay" else (smtp, relay_smtp)
    assert other.recorder.messages == []
    got = chosen.recorder.only()
    assert got.mail_from == SENDER
    assert got.rcpt_tos == ["ann@example.org", "boss@example.org"]
    assert got.message["From"] == f"Web Site <{SENDER}>"
    assert got.message["To"] == "ann@example.org"
    assert got.message["Subject"] == "Commande n° 42"
    assert "boss@example.org" not in got.message.as_string()
    assert got.message.get_content() == "Merci beaucoup, à bientôt !\n"


def test_header_injection_over_http_is_refused(web: ServerProcess, smtp: SmtpServer) -> None:
    reply = web.post("/send", {"receiver": "ann@example.org",
                               "subject": "Hi\r\nBcc: victim@example.org", "body": "spam"})
    assert reply.status == 400
    assert reply.text.startswith("line breaks are not allowed in the subject of a mail")
    assert smtp.recorder.messages == []


# ---- STARTTLS and AUTH ---------------------------------------------------------------------


@dataclass
class TlsSmtp(SmtpServer):
    certificate: Path = Path()
    logins: list[tuple[bytes, bool]] = field(default_factory=list)  # (user, accepted)


@pytest.fixture(scope="module")
def tls_smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsSmtp]:
    """An SMTP server that requires STARTTLS and AUTH (LOGIN/PLAIN) before any mail."""
    key, certificate = self_signed_certificate(tmp_path_factory.mktemp("smtp_tls"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate), str(key))
    logins: list[tuple[bytes, bool]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                      data: Any) -> Any:
        accepted = (isinstance(data, smtp_module.LoginPassword)
                    and data.login == USER.encode() and data.password == PASSWORD.encode())
        logins.append((data.login, accepted))
        # handled=False: aiosmtpd answers a refusal itself (535).
        return smtp_module.AuthResult(success=accepted, handled=False)

    with running_smtp(tls_context=context, require_starttls=True, authenticator=authenticator,
                      auth_required=True, auth_require_tls=True) as server:
        yield TlsSmtp(server.host, server.port, server.recorder, certificate, logins)


@pytest.fixture
def secure(tls_smtp: TlsSmtp) -> TlsSmtp:
    tls_smtp.recorder.messages.clear()
    tls_smtp.logins.clear()
    return tls_smtp


def test_starttls_and_login_from_the_mail_section(module: ModuleType, secure: TlsSmtp) -> None:
    module.configFile.read_dict({"mail": {
        "host": secure.host, "port": str(secure.port), "starttls": "1", "user": USER,
        "password": PASSWORD, "cafile": str(secure.certificate), "timeout": "5"}})
    mailer(module).sendMail(SENDER, "ann@example.org", "", "text/plain", "Secret", "Over TLS")
    got = secure.recorder.only()
    assert got.message.get_content() == "Over TLS\n"
    assert secure.logins == [(USER.encode(), True)]


def test_wrong_password_is_refused(module: ModuleType, secure: TlsSmtp) -> None:
    instance = mailer(module, secure, smtpStartTls=True, smtpUser=USER,
                      smtpPassword="wrong-password", smtpCaFile=str(secure.certificate))
    with pytest.raises(module.MailError) as caught:
        instance.sendMail(SENDER, "ann@example.org", "", "text/plain", "Hi", "Hi")
    message = str(caught.value)
    assert message.startswith(f"logging in to the SMTP server {secure.host}:{secure.port} "
                              f"failed: 535")
    assert "wrong-password" not in message
    assert set(secure.logins) == {(USER.encode(), False)}  # smtplib tries PLAIN, then LOGIN
    assert secure.recorder.messages == []


def test_an_untrusted_certificate_stops_before_the_login(module: ModuleType, secure: TlsSmtp) -> None:
    instance = mailer(module, secure, smtpStartTls=True, smtpUser=USER, smtpPassword=PASSWORD)
    with pytest.raises(module.MailError, match=rf"starting TLS with the SMTP server "
                                               rf"{secure.host}:{secure.port} failed: .*"
                                               rf"certificate verify failed"):
        instance.sendMail(SENDER, "ann@example.org", "", "text/plain", "Hi", "Hi")
    assert secure.logins == [] and secure.recorder.messages == []


def test_no_login_in_clear_text(module: ModuleType, secure: TlsSmtp) -> None:
    """Without starttls this server offers no AUTH: the password is never sent."""
    instance = mailer(module, secure, smtpUser=USER, smtpPassword=PASSWORD)
    with pytest.raises(module.MailError, match=rf"logging in to the SMTP server "
                                               rf"{secure.host}:{secure.port} failed: "
                                               rf"SMTP AUTH extension not supported"):
        instance.sendMail(SENDER, "ann@example.org", "", "text/plain", "Hi", "Hi")
    assert secure.logins == []


# ---- servers that cannot be reached --------------------------------------------------------


def test_closed_port_gives_a_clear_error(module: ModuleType) -> None:
    port = free_port()  # free: nothing listens there
    instance = mailer(module, smtpServer="127.0.0.1", smtpPort=port)
    with pytest.raises(module.MailError, match=rf"^connecting to the SMTP server 127\.0\.0\.1:"
                                               rf"{port} failed: Connection refused$"):
        instance.sendMail(SENDER, "ann@example.org", "", "text/plain", "Hi", "Hi")


def test_silent_server_times_out(module: ModuleType) -> None:
    """A server that accepts the connection but never greets: the timeout ends the wait."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # connections queue up; nothing ever answers them
        port = listener.getsockname()[1]
        instance = mailer(module, smtpServer=f"127.0.0.1:{port}", smtpTimeout=0.5)
        with pytest.raises(module.MailError, match=rf"^connecting to the SMTP server 127\.0\.0\.1:"
                                                   rf"{port} failed: timed out after 0\.5 s$"):
            instance.sendMail(SENDER, "ann@example.org", "", "text/plain", "Hi", "Hi")
