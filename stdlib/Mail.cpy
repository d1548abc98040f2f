# Mail: send e-mail through an SMTP server (CherryPy 0.x standard library, spec §26).
#
# `use Mail` gives the CherryClass Mail (and its instance `mail`). As in 0.x, a subclass
# names the server in __init__ and calls sendMail(sender, receiver, bcc, contentType,
# subject, body):
#
#     CherryClass ShopMail(Mail):
#     function:
#         def __init__(self):
#             self.smtpServer = "smtp.example.com"
#     ...
#     shopMail.sendMail("shop@example.com", "ann@example.com, Bob <bob@example.com>", "",
#                       "text/plain", "Your order", text)
#
# receiver and bcc are comma-separated strings or lists ("" or [] for none); bcc
# recipients get the message without appearing in its headers. contentType is a text
# type (text/plain, text/html); the body and the subject may hold any Unicode.
#
# The server may also be set in the site's config file, so `mail.sendMail(...)` works
# without a subclass. Every option is optional (defaults: localhost, 25, 0, no login,
# 10, the system's certificates); comments must stay on lines of their own:
#
#     [mail]
#     # "host:port" works too
#     host = smtp.example.com
#     port = 587
#     # switch to TLS before logging in or sending
#     starttls = 1
#     # log in when set; use starttls unless the server is on this machine
#     user = shop
#     password = secret
#     # seconds to connect and to wait for each reply
#     timeout = 10
#     # the certificates that may sign the server's, for a private relay
#     cafile = /etc/ssl/relay.pem
#
# An attribute set on the instance wins over its option: smtpServer, smtpPort,
# smtpStartTls, smtpUser, smtpPassword, smtpTimeout, smtpCaFile.
#
# sendMail returns the recipients the server refused, as smtplib does ({} when it took
# them all). Anything else that goes wrong - a line break in a header (header
# injection), an address that is not one, a bad [mail] value, an unreachable server, a
# refused login or message - raises MailError, whose message says what and, for the
# server, which host and port.

import email.errors
import email.headerregistry
import email.message
import email.policy
import email.utils
import smtplib
import ssl


class MailError(Exception):
    """A mail could not be built or sent; the message says why."""


CherryClass Mail:
variable:
    # Set these on the instance (in __init__) to override the [mail] section; None: unset.
    smtpServer = None
    smtpPort = None
    smtpStartTls = None
    smtpUser = None
    smtpPassword = None
    smtpTimeout = None
    smtpCaFile = None
function:
    def sendMail(self, sender, receiver, bcc, contentType, subject, body):
        """Send one message; return the recipients the server refused (usually {}).
        Raises MailError when the message cannot be built or is sent to nobody.
        """
        message = self.makeMessage(sender, receiver, contentType, subject, body)
        recipients = [address.addr_spec for address in
                      self._mailAddresses("receiver", receiver) + self._mailAddresses("bcc", bcc)]
        if not recipients:
            raise MailError("sendMail needs at least one receiver or bcc address")
        return self._mailDeliver(self.mailSettings(), message, recipients)
    def makeMessage(self, sender, receiver, contentType, subject, body):
        """The message sendMail sends: From, To, Subject, Date, Message-ID and a UTF-8 body."""
        self._mailRefuseLineBreaks("subject", subject)
        self._mailRefuseLineBreaks("contentType", contentType)
        kind = str(contentType).partition(";")[0].strip().lower()
        mainType, _, subType = kind.partition("/")
        if mainType != "text" or not subType:
            raise MailError(f"contentType must be a text type such as text/plain or text/html, "
                            f"not {contentType!r}")
        senders = self._mailAddresses("sender", sender)
        if len(senders) != 1:
            raise MailError(f"sender must be one e-mail address, not {sender!r}")
        message = email.message.EmailMessage()
        message["From"] = senders[0]
        receivers = self._mailAddresses("receiver", receiver)
        if receivers:
            message["To"] = receivers
        message["Subject"] = str(subject)
        message["Date"] = email.utils.formatdate(localtime=True)
        # The sender's domain, not socket.getfqdn(): a DNS lookup could stall the request.
        message["Message-ID"] = email.utils.make_msgid(domain=senders[0].domain or None)
        # Quoted-printable keeps non-ASCII text within 7 bits: no need for 8BITMIME.
        text = body.decode("utf-8") if isinstance(body, bytes) else str(body)
        message.set_content(text, subtype=subType, charset="utf-8",
                            cte=None if text.isascii() else "quoted-printable")
        return message
    def mailSettings(self):
        """The SMTP settings: each attribute that is set, else its [mail] option, else the default."""
        section = configFile["mail"] if configFile.has_section("mail") else {}
        options = {  # option: (attribute, conversion, default)
            "host": ("smtpServer", self._mailText, "localhost"),
            "port": ("smtpPort", self._mailPort, None),
            "starttls": ("smtpStartTls", self._mailFlag, False),
            "user": ("smtpUser", self._mailText, ""),
            "password": ("smtpPassword", str, ""),
            "timeout": ("smtpTimeout", self._mailTimeout, 10.0),
            "cafile": ("smtpCaFile", self._mailText, ""),
        }
        unknown = sorted(set(section) - set(options))
        if unknown:
            raise MailError(f"[mail] {unknown[0]}: unknown option (the options of [mail] are "
                            f"{', '.join(options)})")
        settings = {}
        for option, (attribute, convert, default) in options.items():
            value, where = getattr(self, attribute, None), attribute
            if value is None and option in section:
                value, where = section[option], f"[mail] {option}"
            try:
                settings[option] = default if value is None else convert(value)
            except (TypeError, ValueError) as exc:
                raise MailError(f"{where} = {value!r}: {exc}") from None
        host = settings["host"]
        if settings["port"] is None:  # "host:port", as smtplib.SMTP accepts
            if host.count(":") == 1 and host.partition(":")[2].isdigit():
                host, _, port = host.partition(":")
                settings["host"], settings["port"] = host, self._mailPort(port)
            else:
                settings["port"] = 25
        return settings
    def _mailDeliver(self, settings, message, recipients):
        """Connect, STARTTLS and log in as configured, send; failures become MailError."""
        host, port = settings["host"], settings["port"]
        step = "connecting to"
        try:
            with smtplib.SMTP(host, port, timeout=settings["timeout"]) as smtp:
                if settings["starttls"]:
                    step = "starting TLS with"
                    context = ssl.create_default_context(cafile=settings["cafile"] or None)
                    smtp.starttls(context=context)
                if settings["user"]:
                    step = "logging in to"
                    smtp.login(settings["user"], settings["password"])
                step = "sending a mail through"
                return self._mailSend(smtp, message, recipients)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"{step} the SMTP server {host}:{port} failed: "
                            f"{self._mailReason(exc, settings['timeout'])}") from exc
    def _mailSend(self, smtp, message, recipients):
        """Send `message` to `recipients` (its Bcc-free headers say nothing about them).
        It is flattened here, not by smtp.send_message, which would turn a body line
        starting with "From " into ">From ". Non-ASCII addresses need SMTPUTF8.
        """
        sender = message["From"].addresses[0].addr_spec
        options = ()
        policy = email.policy.SMTP
        if not all(address.isascii() for address in [sender, *recipients]):
            options, policy = ("SMTPUTF8", "BODY=8BITMIME"), email.policy.SMTPUTF8
        return smtp.sendmail(sender, recipients, message.as_bytes(policy=policy), options)
    def _mailAddresses(self, field, value):
        """`value` (a comma-separated string, or a list of them) as a list of Addresses."""
        texts = [value] if isinstance(value, str) else list(value or [])
        addresses = []
        for text in map(str, texts):
            self._mailRefuseLineBreaks(field, text)
            try:
                header = email.policy.default.header_factory("To", text)
                found, defects = list(header.addresses), header.defects
            except (ValueError, IndexError, email.errors.MessageError):
                found, defects = [], ["unparsable"]
            if defects or not all(address.username and address.domain for address in found):
                raise MailError(f"the {field} is not an e-mail address or a comma-separated "
                                f"list of them: {text!r}")
            addresses.extend(found)
        return addresses
    def _mailRefuseLineBreaks(self, field, value):
        """A header value must stay on one line: a line break would start a new header.
        Every character str.splitlines() breaks on counts, and NUL.
        """
        if any(character in str(value) for character in "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029\0"):
            raise MailError(f"line breaks are not allowed in the {field} of a mail: {value!r}")
    def _mailReason(self, exc, timeout):
        """A short reason for a failure: the server's answer, or the socket error."""
        if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
            return f"timed out after {timeout:g} s"
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            return "every recipient was refused: " + ", ".join(
                f"{address} ({self._mailAnswer(*answer)})"
                for address, answer in exc.recipients.items())
        if isinstance(exc, smtplib.SMTPResponseException):
            return self._mailAnswer(exc.smtp_code, exc.smtp_error)
        return (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__
    def _mailAnswer(self, code, text):
        """An SMTP reply as one line: `535 5.7.8 Authentication credentials invalid`."""
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        return f"{code} {text}"
    # Conversions of the settings: each raises ValueError with what it expected.
    def _mailText(self, value):
        return str(value).strip()
    def _mailPort(self, value):
        text = str(value).strip()
        if not text.isdigit() or not 0 < int(text) < 65536:
            raise ValueError("expected a port number from 1 to 65535")
        return int(text)
    def _mailTimeout(self, value):
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = 0.0
        if not 0 < seconds < float("inf"):
            raise ValueError("expected a number of seconds above 0")
        return seconds
    def _mailFlag(self, value):
        lowered = str(value).strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ValueError("expected 0 or 1")
