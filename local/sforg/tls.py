"""The local certificate authority: created once per state dir and reused, so clients keep trusting it."""

from __future__ import annotations

import os
import socket
import ssl
from pathlib import Path
from typing import Any

import trustme

CA_CERT_FILE = "sforg-ca.pem"
CA_KEY_FILE = "sforg-ca-key.pem"


def load_or_create_ca(state_dir: Path) -> tuple[trustme.CA, Path]:
    """The CA stored in state_dir (created on first use) and the path of its PEM certificate."""
    state_dir.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = state_dir / CA_CERT_FILE, state_dir / CA_KEY_FILE
    if cert_path.exists() and key_path.exists():
        return trustme.CA.from_pem(cert_path.read_bytes(), key_path.read_bytes()), cert_path
    ca = trustme.CA(organization_name="sforg local CA")
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(ca.private_key_pem.bytes())
    cert_path.write_bytes(ca.cert_pem.bytes())
    return ca, cert_path


class _HandshakeInWorkerContext(ssl.SSLContext):
    """Sockets from this context handshake on first read, in the request thread.

    A listening socket wrapped the default way handshakes inside accept(), in the one thread that
    accepts every connection: a single client that connects and sends nothing (a browser's
    speculative pre-connect, a port probe) would then stall the whole server.
    """

    def wrap_socket(self, sock: socket.socket, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        kwargs["do_handshake_on_connect"] = False
        return super().wrap_socket(sock, *args, **kwargs)


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    """A TLS server context with a fresh leaf certificate for 127.0.0.1 and localhost."""
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    context = _HandshakeInWorkerContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    leaf.configure_cert(context)
    return context
