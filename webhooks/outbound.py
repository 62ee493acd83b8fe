"""Outbound HTTP for webhooks, safe against being pointed at our own network.

The host name is resolved once, *every* address it resolves to must be a public one (unless the
policy allows private or loopback addresses), and the connection is then made to that checked
address — the name is not resolved again, so a DNS answer that changes between the check and
the connection (DNS rebinding) cannot slip in a private address. TLS still verifies the
certificate against the host name. Redirects are never followed: a 3xx is a failed delivery.
Connect and read timeouts bound every attempt.

No Django here: callers pass a `Policy`.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2000
EXCERPT_BYTES = 1000
USER_AGENT = "Datanets-Webhooks/1"


@dataclass(frozen=True)
class Policy:
    allow_private: bool = False
    allow_loopback: bool = False
    connect_timeout: float = 5.0
    read_timeout: float = 10.0


class UrlRefused(Exception):
    """The URL may not receive webhooks; `message` says why and what to do."""

    def __init__(self, message: str, code: str = "url_refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Response:
    ok: bool
    status_code: int | None
    latency_ms: int | None
    excerpt: str
    error: str


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_kind(ip: Address) -> str:
    """'public', or the kind of non-public address: loopback, private, link-local, multicast,
    reserved or unspecified."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return address_kind(ip.ipv4_mapped)  # ::ffff:10.0.0.1 is 10.0.0.1
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private or (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED):
        return "private"
    return "public" if ip.is_global else "reserved"


_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not global, not "private" in 3.11


def address_allowed(ip: Address, policy: Policy) -> bool:
    kind = address_kind(ip)
    if kind == "public":
        return True
    if kind == "loopback":
        return policy.allow_loopback or policy.allow_private
    if kind == "private":
        return policy.allow_private
    return False  # link-local (cloud metadata), multicast, reserved, unspecified: never


def parse_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a URL that may receive webhooks, or UrlRefused."""
    if len(url) > MAX_URL_LENGTH:
        raise UrlRefused(f"The URL is {len(url):,} characters long; keep it under {MAX_URL_LENGTH:,}.")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(f"{url!r} is not a valid URL ({exc}). Use a full URL such as "
                         "https://example.com/hooks/datanets.") from exc
    if parts.scheme not in ("http", "https"):
        raise UrlRefused(f"Webhook URLs must start with https:// (or http://), not {parts.scheme or 'nothing'}://.")
    if not parts.hostname:
        raise UrlRefused("The URL has no host name. Use a full URL such as https://example.com/hooks/datanets.")
    if parts.username or parts.password:
        raise UrlRefused("Leave credentials out of the URL: every delivery is signed with the endpoint's "
                         "secret, which is how your receiver knows it comes from us.")
    if parts.fragment:
        raise UrlRefused("Leave the #fragment out of the URL: it is never sent to a server.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve(host: str, port: int, policy: Policy) -> list[str]:
    """The addresses `host` resolves to, all of them allowed by `policy`; UrlRefused otherwise.

    Refusing when *any* address is not allowed (rather than picking an allowed one) keeps a
    name with one public and one private record from reaching the private one on a retry.
    """
    try:
        literal = ipaddress.ip_address(host)
        infos = [str(literal)]
    except ValueError:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise UrlRefused(f"The host name {host!r} could not be resolved ({exc}). Check its spelling, "
                             "or try again when its DNS is up.", code="dns_failed") from exc
        infos = list(dict.fromkeys(info[4][0].split("%")[0] for info in found))
    for text in infos:
        ip = ipaddress.ip_address(text)
        if not address_allowed(ip, policy):
            kind = address_kind(ip)
            via = "" if text == host else f" resolves to {text}, which"
            raise UrlRefused(
                f"{host}{via} is a {kind} address; webhooks are only sent to public internet addresses, "
                "so they cannot reach this server's own network. Use a publicly reachable host name.",
                code="address_refused")
    if not infos:
        raise UrlRefused(f"The host name {host!r} has no addresses.", code="dns_failed")
    return infos


def check_url(url: str, policy: Policy) -> None:
    """Raise UrlRefused when webhooks may not be sent to `url` now (bad URL or address)."""
    _, host, port, _ = parse_url(url)
    resolve(host, port, policy)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand; the Host header still names the host."""

    def __init__(self, host: str, port: int, *, address: str, policy: Policy) -> None:
        super().__init__(host, port, timeout=policy.connect_timeout)
        self._address = address
        self._read_timeout = policy.read_timeout

    def _open_socket(self) -> socket.socket:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        sock.settimeout(self._read_timeout)
        return sock

    def connect(self) -> None:
        self.sock = self._open_socket()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443

    def __init__(self, host: str, port: int, *, address: str, policy: Policy) -> None:
        super().__init__(host, port, address=address, policy=policy)
        self._context = ssl.create_default_context()

    def connect(self) -> None:
        self.sock = self._context.wrap_socket(self._open_socket(), server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], policy: Policy) -> Response:
    """POST `body` to `url` once. Never raises for network trouble: the Response says what
    happened (ok is True for a 2xx only)."""
    try:
        scheme, host, port, path = parse_url(url)
        addresses = resolve(host, port, policy)
    except UrlRefused as exc:
        return Response(ok=False, status_code=None, latency_ms=None, excerpt="", error=exc.message)
    cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    conn = cls(host, port, address=addresses[0], policy=policy)
    started = time.monotonic()
    phase = "connect"
    try:
        conn.connect()
        phase = "read"
        conn.request("POST", path, body=body, headers={"User-Agent": USER_AGENT, **headers})
        resp = conn.getresponse()
        latency = int((time.monotonic() - started) * 1000)
        excerpt = resp.read(EXCERPT_BYTES).decode("utf-8", errors="replace")
    except (TimeoutError, socket.timeout):
        limit = policy.connect_timeout if phase == "connect" else policy.read_timeout
        return _failure(started, f"No answer within {limit:g} s ({phase} timeout).")
    except ssl.SSLError as exc:
        return _failure(started, f"TLS failed: {exc.reason or exc}.")
    except ConnectionRefusedError:
        return _failure(started, f"Connection refused by {addresses[0]}:{port}.")
    except (OSError, http.client.HTTPException) as exc:
        return _failure(started, f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()
    status = resp.status
    if 200 <= status < 300:
        return Response(ok=True, status_code=status, latency_ms=latency, excerpt=excerpt, error="")
    if 300 <= status < 400:
        error = (f"Answered {status} with a redirect to {resp.getheader('Location') or 'nowhere'}; redirects are "
                 "not followed. Register the final URL.")
    else:
        error = f"Answered {status}; only a 2xx counts as delivered."
    return Response(ok=False, status_code=status, latency_ms=latency, excerpt=excerpt, error=error)


def _failure(started: float, error: str) -> Response:
    return Response(ok=False, status_code=None, latency_ms=int((time.monotonic() - started) * 1000), excerpt="",
                    error=error)
