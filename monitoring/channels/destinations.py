"""Where a tenant's alert channel may send: not into the platform's own networks.

A tenant chooses its webhook URL and SMTP server, and the platform's workers make the connection:
without a check, a tenant could have them post to the cloud's metadata service, the Connect REST API
or anything else on the platform's private networks (server-side request forgery). An address that
is not globally routable (loopback, private, link-local, carrier-grade NAT, reserved...) is refused
unless it is inside ALERT_CHANNEL_ALLOWED_NETWORKS. The check runs when a channel is saved (a field
error) and again before each delivery (a name may have been pointed elsewhere since; one that does not
resolve then is refused), and a webhook is posted to the addresses that were checked (`allowed_addresses`),
never to the name resolved again; its redirects are not followed. An SMTP server's name is checked
before each delivery, but the mail library resolves it once more when it connects.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

DEFAULT_PORTS = {"http": 80, "https": 443}
REFUSED = "destination not allowed: unresolvable, or a private, loopback or link-local address"


# IPv6 ranges that carry an IPv4 address to a translator or a tunnel (NAT64, IPv4-compatible): where the
# network has one, they reach that IPv4 address, whatever `is_global` says of the IPv6 one.
IPV4_CARRYING = tuple(ipaddress.ip_network(net) for net in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96"))


def _in_allowed_networks(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(
        address in ipaddress.ip_network(network, strict=False) for network in settings.ALERT_CHANNEL_ALLOWED_NETWORKS
    )


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 is 127.0.0.1; 6to4 and Teredo addresses lead to the IPv4 address inside them.
        carried = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if carried is not None:
            return _allowed(carried) or _in_allowed_networks(address)
        if any(address in network for network in IPV4_CARRYING):
            return _in_allowed_networks(address)
    if address.is_global and not address.is_multicast and not getattr(address, "is_site_local", False):
        return True
    return _in_allowed_networks(address)


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address] | None:
    """The addresses `host` stands for; None when it does not resolve (then nothing can be sent there)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return None
    return [ipaddress.ip_address(entry[4][0].split("%", 1)[0]) for entry in found]


def allowed_addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The addresses to connect to for a tenant: what `host` resolves to now, if all of it is allowed (empty
    otherwise). Connecting to these, not to the name again, is what keeps a DNS answer that changes after
    the check (rebinding) from leading elsewhere."""
    addresses = _addresses(host, port)
    if not addresses or not all(_allowed(address) for address in addresses):
        return []
    return addresses


def host_errors(host: str, port: int, *, must_resolve: bool = False) -> list[str]:
    """Why the platform will not connect to `host` for a tenant (empty: it may). A name that does not
    resolve is judged when it is used (`must_resolve`): refused then, since it cannot be checked."""
    addresses = _addresses(host, port)
    if addresses is None:
        return [f"{host} does not resolve"] if must_resolve else []
    refused = sorted({str(address) for address in addresses if not _allowed(address)})
    if refused:
        return [
            f"{host} is {', '.join(refused)}: alert channels may not reach private, loopback or link-local "
            "addresses (a platform admin can allow networks with ALERT_CHANNEL_ALLOWED_NETWORKS)"
        ]
    return []


@dataclass(frozen=True)
class WebhookTarget:
    """Where a webhook URL posts to, as urllib3 (the library that sends it) reads the URL."""

    scheme: str
    host: str  # an IPv6 address without its brackets
    port: int
    netloc: str  # host[:port], for the Host header
    request_uri: str  # path and query


def webhook_target(url: str) -> WebhookTarget | None:
    """None when the URL cannot be posted to; never raises (a parser's error quotes the URL, and its token)."""
    try:
        parts = parse_url(url)
    except (ValueError, LocationParseError):
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.host:
        return None
    return WebhookTarget(
        scheme=parts.scheme,
        host=parts.host.strip("[]"),
        port=parts.port or DEFAULT_PORTS[parts.scheme],
        netloc=parts.netloc,
        request_uri=parts.request_uri,
    )


def webhook_url_errors(url: str, *, must_resolve: bool = False, resolve: bool = True) -> list[str]:
    """Why a webhook URL is refused (empty: accepted); without `resolve`, only the URL's own form is checked.
    Never quotes the URL itself, which may carry a token."""
    if "\\" in url or any(character.isspace() or ord(character) < 32 for character in url):
        # Parsers disagree on these (requests ends the host at a backslash, urlsplit does not): the host
        # checked must be the host connected to.
        return ["may not contain backslashes, spaces or control characters"]
    target = webhook_target(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if target is None or parts is None or not parts.hostname:
        return ["must be an http:// or https:// URL with a host"]
    if parts.username is not None or parts.password is not None:
        return ["may not carry a user name or password before the host: put a token in the path or query"]
    if target.host.lower() != parts.hostname.lower():
        return ["is not a valid URL"]
    return host_errors(target.host, target.port, must_resolve=must_resolve) if resolve else []
