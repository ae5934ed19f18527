"""Where a tenant's alert channel may send: not into the platform's own networks.

A tenant chooses its webhook URL and SMTP server, and the platform's workers make the connection:
without a check, a tenant could have them post to the cloud's metadata service, the Connect REST API
or anything else on the platform's private networks (server-side request forgery). An address that
is not globally routable (loopback, private, link-local, carrier-grade NAT, reserved...) is refused
unless it is inside ALERT_CHANNEL_ALLOWED_NETWORKS. The check runs when a channel is saved (a field
error) and again before each delivery (a name may have been pointed elsewhere since); a webhook's
redirects are not followed.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

WEBHOOK_SCHEMES = ("http", "https")


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if address.is_global and not address.is_multicast:
        return True
    return any(
        address in ipaddress.ip_network(network, strict=False) for network in settings.ALERT_CHANNEL_ALLOWED_NETWORKS
    )


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


def host_errors(host: str, port: int) -> list[str]:
    """Why the platform will not connect to `host` for a tenant (empty: it may)."""
    addresses = _addresses(host, port) or []
    refused = sorted({str(address) for address in addresses if not _allowed(address)})
    if refused:
        return [
            f"{host} is {', '.join(refused)}: alert channels may not reach private, loopback or link-local "
            "addresses (a platform admin can allow networks with ALERT_CHANNEL_ALLOWED_NETWORKS)"
        ]
    return []


def webhook_url_errors(url: str) -> list[str]:
    """Why a webhook URL is refused (empty: accepted). Never quotes the URL itself, which may carry a token."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return ["is not a valid URL"]
    if parts.scheme not in WEBHOOK_SCHEMES or not parts.hostname:
        return ["must be an http:// or https:// URL with a host"]
    return host_errors(parts.hostname, port)
