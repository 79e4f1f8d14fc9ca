"""Settings read from the environment (see CONTRACT.md)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

# Threads that run blocking work (database, templates) for requests. Every
# request holds one while it waits for the database, so this many requests
# stuck on a lock or a slow database still leave others running. (Left to
# themselves, the event loop uses cores + 4 threads: 6 on a two-core host.)
DEFAULT_WORKER_THREADS = 32
MAX_WORKER_THREADS = 256
DEFAULT_PAGE_CACHE_MB = 64
MAX_PAGE_CACHE_MB = 65536


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    secret_key: str
    # PostgreSQL: the tables' owner, for migrations (``iop db upgrade``); the
    # application itself connects with ``database_url`` as a restricted role.
    # Unset: migrations use ``database_url`` too.
    database_owner_url: str | None = None
    # Secure cookies need HTTPS; local development and tests run on plain HTTP.
    secure_cookies: bool = False
    # Reverse proxies whose X-Forwarded-For is believed (IP addresses or CIDR
    # networks). Empty: no one's, the connecting peer is the client.
    trusted_proxies: tuple[str, ...] = ()
    # IOP_WORKER_THREADS: see DEFAULT_WORKER_THREADS.
    worker_threads: int = DEFAULT_WORKER_THREADS
    # IOP_PAGE_CACHE_MB: rendered staff pages kept per process (web.page_cache); 0 turns it off.
    page_cache_mb: int = DEFAULT_PAGE_CACHE_MB
    # IOP_SMTP_URL: smtp://user:password@host:587?starttls=1, smtps://host:465,
    # or unset: messages are written to mail_dir instead (core.mailer).
    smtp_url: str | None = None
    # IOP_MAIL_FROM: the sender of every message; unset, noreply@ the host of base_url.
    mail_from: str = "IOP-plattformen <noreply@127.0.0.1>"
    # IOP_BASE_URL: where users reach the platform; links in e-mail start with it.
    base_url: str = "http://127.0.0.1:8000"

    @property
    def max_in_flight(self) -> int:
        """Requests one process admits at once (web/admission.py): one per
        worker thread, so every admitted request finds a thread and a pooled
        connection (core.db.make_engine keeps as many) without waiting."""
        return self.worker_threads

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / "documents"

    @property
    def mail_dir(self) -> Path:
        """Where messages go when no SMTP server is configured."""
        return self.data_dir / "mail"

    @property
    def migration_url(self) -> str:
        return self.database_owner_url or self.database_url


def _secret_for(data_dir: Path) -> str:
    """A random key per data directory, created once and kept in it."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    # Created 0600 at once: write_text and a chmod afterwards leave a window in
    # which another user could open the file.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with open(fd, "w") as file:
        file.write(key)
    return key


def parse_trusted_proxies(value: str) -> tuple[str, ...]:
    """``IOP_TRUSTED_PROXIES``: comma-separated IP addresses or CIDR networks."""
    proxies = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            network = ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"IOP_TRUSTED_PROXIES: {item!r} är varken en IP-adress eller ett nät (t.ex. 10.0.0.0/8)") from None
        single = network.num_addresses == 1
        proxies.append(str(network.network_address) if single else str(network))
    return tuple(proxies)


def _whole_number(variable: str, value: str, default: int, lowest: int, highest: int) -> int:
    """An environment variable that holds a whole number from ``lowest`` to
    ``highest``; ``default`` when it is empty or unset."""
    value = value.strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or not lowest <= int(value) <= highest:
        raise ValueError(f"{variable}: {value!r} ska vara ett heltal från {lowest} till {highest}")
    return int(value)


def parse_worker_threads(value: str) -> int:
    """``IOP_WORKER_THREADS``: a whole number from 1 to MAX_WORKER_THREADS."""
    return _whole_number("IOP_WORKER_THREADS", value, DEFAULT_WORKER_THREADS, 1, MAX_WORKER_THREADS)


def parse_page_cache_mb(value: str) -> int:
    """``IOP_PAGE_CACHE_MB``: a whole number of megabytes, 0 to MAX_PAGE_CACHE_MB."""
    return _whole_number("IOP_PAGE_CACHE_MB", value, DEFAULT_PAGE_CACHE_MB, 0, MAX_PAGE_CACHE_MB)


def parse_base_url(value: str) -> str:
    """``IOP_BASE_URL``: http(s)://host[:port][/path], without a trailing slash."""
    value = value.strip().rstrip("/")
    if not value:
        return Settings.base_url
    scheme, _, rest = value.partition("://")
    if scheme not in ("http", "https") or not rest or any(c in rest for c in "?# "):
        raise ValueError(f"IOP_BASE_URL: {value!r} ska vara en adress som https://iop.example.se")
    return value


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("IOP_DATA_DIR", "./var")).resolve()
    # The database, the secret key and the documents live here: the
    # application's own user only (when this code creates it).
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    database_url = env.get("IOP_DATABASE_URL") or f"sqlite:///{data_dir / 'iop.sqlite3'}"
    secret_key = env.get("IOP_SECRET_KEY") or _secret_for(data_dir)
    secure = env.get("IOP_SECURE_COOKIES", "").lower() in {"1", "true", "yes"}
    proxies = parse_trusted_proxies(env.get("IOP_TRUSTED_PROXIES", ""))
    threads = parse_worker_threads(env.get("IOP_WORKER_THREADS", ""))
    base_url = parse_base_url(env.get("IOP_BASE_URL", ""))
    return Settings(database_url=database_url, data_dir=data_dir, secret_key=secret_key, secure_cookies=secure,
                    trusted_proxies=proxies, worker_threads=threads,
                    page_cache_mb=parse_page_cache_mb(env.get("IOP_PAGE_CACHE_MB", "")),
                    database_owner_url=env.get("IOP_DATABASE_OWNER_URL") or None,
                    smtp_url=env.get("IOP_SMTP_URL") or None,
                    mail_from=env.get("IOP_MAIL_FROM") or f"IOP-plattformen <noreply@{urlsplit(base_url).hostname}>",
                    base_url=base_url)
