"""HTTPS with sslKeyFile / sslCertificateFile, and client certificates (spec §21, DESIGN §3).

A CA, a server certificate for 127.0.0.1 / localhost and client certificates are made
here with `cryptography` (the `test` extra).
"""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import json
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from servers import ServerProcess, ThreadServer, compile_site, free_port, write_config

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402

SITE = """\
import json

CherryClass Root:
view:
    def base(self):
        return request.base

    def count(self):
        request.sessionMap["count"] = request.sessionMap.get("count", 0) + 1
        return str(request.sessionMap["count"])

    def peer(self):
        response.headerMap["content-type"] = "application/json"
        certificate = request.peerCertificate
        if certificate is None:
            return b"null"
        return json.dumps(certificate).encode()
"""


# ---- certificates --------------------------------------------------------------------------


@dataclass
class Pki:
    folder: Path
    ca: Path
    server_key: Path
    server_cert: Path
    client_key: Path
    client_cert: Path
    stranger_key: Path  # a client certificate signed by another CA
    stranger_cert: Path

    def context(self, key: Path | None = None, cert: Path | None = None) -> ssl.SSLContext:
        """A client context that trusts our CA, with a client certificate if given."""
        context = ssl.create_default_context(cafile=str(self.ca))
        if cert is not None:
            context.load_cert_chain(str(cert), str(key))
        return context


def _name(common_name: str) -> Any:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "cherryc tests"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _issue(subject: str, key: Any, issuer: tuple[Any, Any] | None, *, ca: bool = False,
           sans: list[Any] | None = None, usage: Any = None) -> Any:
    """A certificate for `key`; `issuer` = (issuer certificate, issuer key), None: self-signed."""
    now = datetime.datetime.now(datetime.timezone.utc)
    issuer_name = issuer[0].subject if issuer else _name(subject)
    signing_key = issuer[1] if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            signing_key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=True,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _write(folder: Path, name: str, key: Any, cert: Any) -> tuple[Path, Path]:
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _issue("cherryc test CA", ca_key, None, ca=True)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_cert = _issue("some other CA", other_key, None, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = _issue("localhost", server_key, (ca_cert, ca_key), sans=[
        x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
        usage=ExtendedKeyUsageOID.SERVER_AUTH)
    client_key = ec.generate_private_key(ec.SECP256R1())
    client_cert = _issue("test client", client_key, (ca_cert, ca_key),
                         usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    stranger_key = ec.generate_private_key(ec.SECP256R1())
    stranger_cert = _issue("stranger", stranger_key, (other_cert, other_key),
                           usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    _, ca = _write(folder, "ca", ca_key, ca_cert)
    server = _write(folder, "server", server_key, server_cert)
    client = _write(folder, "client", client_key, client_cert)
    stranger = _write(folder, "stranger", stranger_key, stranger_cert)
    return Pki(folder, ca, *server, *client, *stranger)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    compile_site(tmp_path, SITE)
    return tmp_path


def https_server(site: Path, pki: Pki, context: ssl.SSLContext, **server: Any) -> ServerProcess:
    settings = {"sslKeyFile": pki.server_key, "sslCertificateFile": pki.server_cert, **server}
    process = ServerProcess(site, server=settings, extra="[session]\nstorageType = ram\n")
    process.scheme = "https"
    process.ssl_context = context
    return process


# ---- HTTPS ---------------------------------------------------------------------------------


def test_https_serves_the_site(site: Path, pki: Pki) -> None:
    with https_server(site, pki, pki.context()) as server:
        reply = server.get("/base")
        assert reply.status == 200
        assert reply.text == f"https://127.0.0.1:{server.port}"
        # the session cookie is Secure under SSL (and HttpOnly, SameSite=Lax as always)
        cookie = reply.header("Set-Cookie") or ""
        assert cookie.startswith("CherryPySession="), cookie
        attributes = [part.strip().lower() for part in cookie.split(";")]
        assert {"secure", "httponly", "samesite=lax"} <= set(attributes), cookie
        # the client has no certificate to show: peerCertificate is None
        assert server.get("/peer").text == "null"
        # plain HTTP on the HTTPS port gets no page
        try:
            answer = server.raw(b"GET /base HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        except ConnectionResetError:
            answer = b""
        assert b" 200 " not in answer.split(b"\r\n", 1)[0] and b"https://" not in answer, answer
    assert f"Serving HTTPS on 127.0.0.1:{server.port}" in server.log()


def test_session_cookie_is_not_secure_over_plain_http(site: Path) -> None:
    with ThreadServer(site, extra="[session]\nstorageType = ram\n") as server:
        reply = server.get("/count")
        assert reply.text == "1"
        attributes = [part.strip().lower() for part in (reply.header("Set-Cookie") or "").split(";")]
        assert "httponly" in attributes
        assert "secure" not in attributes
        assert server.get("/base").text.startswith("http://")


def _refused(server: ServerProcess, context: ssl.SSLContext) -> None:
    server.ssl_context = context
    with pytest.raises((OSError, http.client.HTTPException)):  # ssl.SSLError is an OSError
        server.get("/peer", timeout=10)


def test_client_certificates_are_required_and_exposed(site: Path, pki: Pki) -> None:
    verified = {"sslClientCertificateVerification": 1, "sslCACertificateFile": pki.ca}
    with https_server(site, pki, pki.context(), **verified) as server:
        _refused(server, pki.context())  # no certificate
        _refused(server, pki.context(pki.stranger_key, pki.stranger_cert))  # another CA's
        server.ssl_context = pki.context(pki.client_key, pki.client_cert)
        reply = server.get("/peer")
        assert reply.status == 200, reply.text
        peer = json.loads(reply.text)
        assert peer["SSL_CLIENT_VERIFY"] == "SUCCESS"
        assert peer["SSL_CLIENT_S_DN_CN"] == "test client"
        assert peer["SSL_CLIENT_S_DN_O"] == "cherryc tests"
        assert peer["SSL_CLIENT_I_DN_CN"] == "cherryc test CA"
        assert set(peer["SSL_CLIENT_S_DN"].split(",")) == {"O=cherryc tests", "CN=test client"}
        expected_pem = pki.client_cert.read_text().strip()
        assert ssl.PEM_cert_to_DER_cert(peer["SSL_CLIENT_CERT"]) == ssl.PEM_cert_to_DER_cert(
            expected_pem)
        assert server.get("/base").text == f"https://127.0.0.1:{server.port}"
        # still answering clients without a certificate with a refusal, not a crash
        _refused(server, pki.context())
        server.ssl_context = pki.context(pki.client_key, pki.client_cert)
        assert server.get("/base").status == 200


def test_a_missing_key_file_is_a_start_up_error_naming_the_option(site: Path, pki: Pki) -> None:
    missing = site / "no-such.key"
    port = free_port()
    config = site / "ssl.cfg"
    write_config(config, {"socketHost": "127.0.0.1", "socketPort": port, "sslKeyFile": missing,
                          "sslCertificateFile": pki.server_cert})
    result = subprocess.run([sys.executable, "siteServer.py", "-C", str(config)], cwd=site,
                            capture_output=True, text=True, timeout=30)
    message = result.stdout + result.stderr
    assert "sslKeyFile" in message and str(missing) in message, message
    assert "Serving" not in message
    assert "Traceback" not in message
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert result.returncode != 0, "a start-up error must give a non-zero exit status"


def test_sigterm_stops_the_server_while_plain_http_clients_knock(site: Path, pki: Pki) -> None:
    """SIGTERM stops the server whatever it is doing when the signal arrives; here it is
    busy refusing plain HTTP spoken to its HTTPS port (a few rounds, as the moment the
    signal lands varies)."""
    for _ in range(3):
        _knock_then_stop(https_server(site, pki, pki.context()))


def _knock_then_stop(server: ServerProcess) -> None:
    server.start()
    process = server.process
    assert process is not None
    knocking = threading.Event()
    done = threading.Event()

    def knock() -> None:
        while not done.is_set():
            try:
                with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
                    sock.sendall(b"GET /base HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    while sock.recv(65536):
                        pass
            except OSError:
                pass
            knocking.set()

    knockers = [threading.Thread(target=knock, daemon=True) for _ in range(4)]
    for thread in knockers:
        thread.start()
    try:
        assert knocking.wait(10)
        time.sleep(0.3)  # let the server be busy with them
        process.send_signal(signal.SIGTERM)
        try:
            status = process.wait(10)
        except subprocess.TimeoutExpired:
            status = None
    finally:
        done.set()
        for thread in knockers:
            thread.join(10)
        if process.poll() is None:
            process.kill()
            process.wait()
    told = "\n".join(line for line in server.log().splitlines()
                     if "plain HTTP" not in line)  # one line per knock
    assert status == 0, f"the server did not stop on SIGTERM (status {status}):\n{told}"
