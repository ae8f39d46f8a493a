"""A real Synapse homeserver for the Matrix tests: installed in its own virtualenv, run on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("SOUVENIR_SYNAPSE_VENV", ROOT / ".cache" / "synapse-venv"))
SYNAPSE_SPEC = os.environ.get("SOUVENIR_SYNAPSE_SPEC", "matrix-synapse==1.163.2")
_RATE = {"per_second": 1000, "burst_count": 1000}


def ensure_installed(venv: Path = VENV) -> Path:
    """Install Synapse in a virtualenv of its own once; returns its python (idempotent)."""
    python = venv / "bin" / "python"
    marker = venv / ".synapse-installed"
    if marker.exists() and marker.read_text() == SYNAPSE_SPEC and python.exists():
        return python
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", SYNAPSE_SPEC], check=True)
    marker.write_text(SYNAPSE_SPEC)
    return python


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Synapse:
    """A running homeserver: its URL, server name and the shared secret to register users."""

    url: str
    server_name: str
    shared_secret: str
    process: subprocess.Popen
    directory: Path

    def register(self, name: str, password: str, *, admin: bool = False) -> str:
        """Create a user through the shared-secret admin API; returns the full user id."""
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        with urllib.request.urlopen(endpoint, timeout=10) as response:
            nonce = json.load(response)["nonce"]
        message = b"\x00".join(
            [nonce.encode(), name.encode(), password.encode(), b"admin" if admin else b"notadmin"]
        )
        mac = hmac.new(self.shared_secret.encode(), message, hashlib.sha1).hexdigest()
        body = json.dumps(
            {"nonce": nonce, "username": name, "password": password, "admin": admin, "mac": mac}
        ).encode()
        request = urllib.request.Request(endpoint, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)["user_id"]

    def stop(self) -> None:
        """Terminate the server and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def write_config(directory: Path, port: int, secret: str) -> Path:
    """A minimal homeserver config (JSON is valid YAML): loopback listener, sqlite, no rate limits."""
    config = {
        "server_name": "localhost",
        "pid_file": str(directory / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
        "media_store_path": str(directory / "media"),
        "signing_key_path": str(directory / "signing.key"),
        "registration_shared_secret": secret,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "presence": {"enabled": False},
        "enable_metrics": False,
        "url_preview_enabled": False,
        "max_upload_size": "50M",
        **{
            key: _RATE
            for key in (
                "rc_message",
                "rc_registration",
                "rc_joins_per_room",
                "rc_3pid_validation",
                "rc_invites_per_room",
                "rc_invites_per_user",
                "rc_invites_per_issuer",
                "rc_media_create",
                "rc_key_requests",
            )
        },
        "rc_login": {"address": _RATE, "account": _RATE, "failed_attempts": _RATE},
        "rc_joins": {"local": _RATE, "remote": _RATE},
        "rc_admin_redaction": _RATE,
    }
    path = directory / "homeserver.yaml"
    path.write_text(json.dumps(config, indent=1))
    return path


def start(directory: Path, *, timeout: float = 60.0) -> Synapse:
    """Install if needed, configure and start Synapse as a direct child; returns once it answers."""
    python = ensure_installed()
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    secret = secrets.token_hex(16)
    config = write_config(directory, port, secret)
    subprocess.run(
        [str(python), "-m", "synapse.app.homeserver", "-c", str(config), "--generate-keys"],
        check=True,
        cwd=directory,
        stdout=subprocess.DEVNULL,
    )
    log = (directory / "synapse.log").open("wb")
    process = subprocess.Popen(
        [str(python), "-m", "synapse.app.homeserver", "-c", str(config)],
        cwd=directory,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    server = Synapse(url, "localhost", secret, process, directory)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Synapse exited: see {directory / 'synapse.log'}")
        try:
            with urllib.request.urlopen(f"{url}/_matrix/client/versions", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("Synapse did not answer in time")
