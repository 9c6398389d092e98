"""Fetching what a credential points at (DID documents, keys, status lists), safely.

A verifier follows URLs written by whoever made the credential, so `SafeHttpFetcher`
guards the server it runs on: HTTPS only; host names resolved first and every address
checked (no private, loopback, link-local, multicast or reserved address); the connection
made to the address that was checked, so a second DNS answer cannot redirect it (DNS
rebinding); at most `max_redirects` redirects, each checked the same way; a size cap and
one deadline for the whole exchange.

URLs of this site (under `local_base_url`, or a did:web of the same host and port) are
answered in-process by `local_fetch`, so checking our own credentials never leaves the app.
Standard library only (http.client), like `pathways.lti.http`.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import urljoin
from urllib.parse import urlsplit

USER_AGENT = "Pathways-Verifier/1.0"
ACCEPT = "application/did+json, application/ld+json, application/json;q=0.9"
MAX_URL_LENGTH = 2048
REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A URL could not be fetched, or was refused; the message says which, in plain words."""


class Fetcher(Protocol):
    def fetch(self, url: str) -> bytes:
        """The body of `url`. :raises FetchError: unreachable, refused, not 2xx, too large."""
        ...


def is_public_address(address: str) -> bool:
    """Whether `address` (IPv4 or IPv6) is a public unicast address a verifier may contact.

    Refused: private, shared (100.64/10), loopback, link-local (so 169.254.169.254, cloud
    metadata), multicast, reserved, unspecified and documentation ranges, and IPv6 forms that
    embed a refused IPv4 address (mapped, 6to4, Teredo).
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback:
        return False
    if ip.is_link_local or ip.is_private or not ip.is_global:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = [ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None]
        if any(v4 is not None and not is_public_address(str(v4)) for v4 in embedded):
            return False
    return True


def _resolve(host: str, port: int, timeout: float) -> list[str]:
    """The addresses of `host`, within `timeout` (getaddrinfo has no timeout of its own)."""
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="verifier-dns", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise FetchError(f"{host} could not be looked up in time")
    if "error" in outcome:
        raise FetchError(f"{host} could not be looked up: {outcome['error']}")
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in outcome.get("infos") or []:
        if sockaddr[0] not in addresses:
            addresses.append(str(sockaddr[0]))
    if not addresses:
        raise FetchError(f"{host} has no address")
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address already checked, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As `_PinnedHTTPConnection`; TLS still checks the certificate against the host name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        try:
            self.sock = self._context.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


class SafeHttpFetcher:
    """A `Fetcher` that a public verification page can point at arbitrary URLs.

    :param allow_hosts: host names trusted by configuration (a partner's intranet, a
        development instance): plain http and private addresses are allowed for them.
    :param local_base_url: this site's base URL; URLs under it (and https URLs or did:web
        documents of the same host and port) go to `local_fetch`.
    :param local_fetch: serves a URL of this site in-process (given the URL rewritten under
        `local_base_url`); raises `FetchError` when there is nothing there.
    """

    def __init__(
        self,
        *,
        timeout: float = 5.0,
        max_bytes: int = 1_000_000,
        max_redirects: int = 3,
        allow_hosts: Iterable[str] = (),
        local_base_url: str | None = None,
        local_fetch: Callable[[str], bytes] | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.allow_hosts = frozenset(h.lower() for h in allow_hosts)
        self.local_base_url = local_base_url.rstrip("/") if local_base_url else None
        self.local_fetch = local_fetch

    def fetch(self, url: str) -> bytes:
        if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
            raise FetchError("the address is missing or too long")
        for _ in range(self.max_redirects + 1):
            local = self.local_url(url)
            if local is not None:
                return self._fetch_local(local)
            location = self._fetch_remote(url)
            if isinstance(location, bytes):
                return location
            url = location
        raise FetchError(f"{url}: more than {self.max_redirects} redirects")

    def local_url(self, url: str) -> str | None:
        """`url` rewritten under `local_base_url` when it names this site, else None."""
        if not self.local_base_url or self.local_fetch is None:
            return None
        if url == self.local_base_url or url.startswith(self.local_base_url + "/"):
            return url
        try:
            base, parts = urlsplit(self.local_base_url), urlsplit(url)
            same_host = (parts.hostname, parts.port) == (base.hostname, base.port)
        except ValueError:
            return None
        if parts.scheme not in ("http", "https") or not same_host or parts.username:
            return None
        prefix = base.path.rstrip("/")
        if parts.path != prefix and not parts.path.startswith(prefix + "/"):
            return None
        query = f"?{parts.query}" if parts.query else ""
        return f"{base.scheme}://{base.netloc}{parts.path}{query}"

    def _fetch_local(self, url: str) -> bytes:
        assert self.local_fetch is not None
        try:
            body = self.local_fetch(url)
        except FetchError:
            raise
        except Exception as exc:  # the site's own handler failing must not break a verification
            raise FetchError(f"{url} could not be read from this site ({exc})") from exc
        if not isinstance(body, bytes | bytearray):
            raise FetchError(f"{url} could not be read from this site")
        if len(body) > self.max_bytes:
            raise FetchError(f"{url} is larger than {self.max_bytes} bytes")
        return bytes(body)

    def _target(self, url: str) -> tuple[str, str, int, str]:
        """(scheme, host, port, path) of a URL this fetcher may contact."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FetchError(f"{url} is not a usable address") from exc
        host = (parts.hostname or "").lower()
        if not host or parts.username or parts.password:
            raise FetchError(f"{url} is not a usable address")
        trusted = host in self.allow_hosts
        if parts.scheme != "https" and not (parts.scheme == "http" and trusted):
            raise FetchError(f"{url} was not fetched: only https addresses are followed")
        if any(ord(c) < 33 or ord(c) == 127 for c in url):
            raise FetchError(f"{url!r} is not a usable address")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path

    def _fetch_remote(self, url: str) -> bytes | str:
        """The body, or the next URL when the answer is a redirect."""
        scheme, host, port, path = self._target(url)
        addresses = _resolve(host, port, self.timeout)
        if host not in self.allow_hosts:
            refused = [a for a in addresses if not is_public_address(a)]
            if refused:
                raise FetchError(
                    f"{url} was not fetched: {host} points to a private or reserved "
                    f"network address ({refused[0]})"
                )
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(host, port, address=addresses[0], timeout=self.timeout)
        expired = threading.Event()

        def abort() -> None:
            expired.set()
            sock = connection.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        watchdog = threading.Timer(self.timeout, abort)
        watchdog.daemon = True
        watchdog.start()
        try:
            connection.request("GET", path, headers={"Accept": ACCEPT, "User-Agent": USER_AGENT})
            response = connection.getresponse()
            if response.status in REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"{url} redirected nowhere")
                return urljoin(url, location.strip())
            if not 200 <= response.status < 300:
                raise FetchError(f"{url} answered HTTP {response.status}")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(f"{url} is larger than {self.max_bytes} bytes")
            body = response.read(self.max_bytes + 1)
            if len(body) > self.max_bytes:
                raise FetchError(f"{url} is larger than {self.max_bytes} bytes")
            if expired.is_set():
                raise FetchError(f"{url} did not answer within {self.timeout:g} seconds")
            return body
        except FetchError:
            raise
        except (OSError, http.client.HTTPException, ValueError, UnicodeError) as exc:
            if expired.is_set() or isinstance(exc, TimeoutError):
                raise FetchError(f"{url} did not answer within {self.timeout:g} seconds") from exc
            raise FetchError(f"{url} could not be reached ({exc})") from exc
        finally:
            watchdog.cancel()
            connection.close()
