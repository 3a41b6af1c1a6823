"""Which URLs a callback may reach: public http(s) addresses, plus hosts the operator allows."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from voxhub.errors import CallbackUrlRefused, ConfigurationError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# (host, port) -> every address the host resolves to, in the order a client tries them
Resolver = Callable[[str, int], list[str]]

SCHEMES = {"http": 80, "https": 443}
# instance metadata services hand out cloud credentials: named apart in error messages
METADATA = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
        "169.254.170.2",  # AWS ECS task credentials
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud Classic
    )
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_ALLOW_SETTING = "VOXHUB_WEBHOOKS__ALLOW_HOSTS"


def embedded(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4), which is where it goes."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour or address


def refusal(address: IPAddress) -> str | None:
    """Why a callback may not reach `address` ("a loopback address" …), or None when public."""
    target = embedded(address)
    checks: list[tuple[bool, str]] = [
        (target in METADATA, "a cloud metadata address"),
        (target.is_unspecified, "an unspecified address"),
        (target.is_loopback, "a loopback address"),
        (target.is_link_local, "a link-local address"),
        (target.is_multicast, "a multicast address"),
        (target.is_reserved, "a reserved address"),
        (target.is_private, "a private address"),
        (target in _SHARED, "a shared (carrier-grade NAT) address"),
        (not target.is_global, "an address that is not publicly routable"),
    ]
    return next((reason for refused, reason in checks if refused), None)


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, without repeats, in getaddrinfo's order."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


@dataclass(frozen=True)
class Destination:
    """A checked URL and the addresses to connect to: these, never a second lookup of the
    name, so a DNS answer that changes after the check (rebinding) cannot redirect the call."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


class CallbackPolicy:
    """Refuses non-http(s) URLs and hosts that resolve to anything but public addresses,
    unless the host name, or the network of every address it resolves to, is allowed."""

    def __init__(self, allow_hosts: Sequence[str] = (), resolver: Resolver = resolve) -> None:
        self._resolver = resolver
        self._names: set[str] = set()
        self._suffixes: list[str] = []
        self._networks: list[IPNetwork] = []
        for entry in allow_hosts:
            self._allow(entry)

    def check(self, url: str, label: str = "callback_url") -> Destination:
        """The destination of `url`, or CallbackUrlRefused naming the problem (blocking DNS)."""
        try:
            return self.destination(url, label)
        except (OSError, UnicodeError) as exc:
            host = urlsplit(url).hostname
            raise CallbackUrlRefused(
                f"{label} {url} is refused: its host {host!r} could not be resolved ({exc})."
            ) from exc

    def destination(self, url: str, label: str = "callback_url") -> Destination:
        """Like check(), but a failed lookup raises OSError: for senders, where it may pass."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            raise CallbackUrlRefused(
                f"{label} {url} is refused: only http and https URLs are called."
            )
        host = parts.hostname
        if not host:
            raise CallbackUrlRefused(f"{label} {url} is refused: it has no host.")
        try:
            port = parts.port or SCHEMES[scheme]
        except ValueError as exc:
            raise CallbackUrlRefused(f"{label} {url} is refused: its port is invalid.") from exc
        literal = _address(host)
        if literal is not None:
            addresses = [str(literal)]
        else:
            addresses = self._resolver(host, port)
            if not addresses:
                raise OSError(f"no address for {host}")
            if self._name_allowed(host):
                return Destination(url, scheme, host, port, tuple(addresses))
        for text in addresses:
            address = ipaddress.ip_address(text)
            reason = None if self._network_allowed(address) else refusal(address)
            if reason is not None:
                # a name's addresses stay out of the message: it must not map internal DNS
                where = f"{text} is" if literal is not None else f"its host {host!r} resolves to"
                raise CallbackUrlRefused(
                    f"{label} {url} is refused: {where} {reason}. voxhub calls only public "
                    f"addresses unless the host is listed in {_ALLOW_SETTING}."
                )
        return Destination(url, scheme, host, port, tuple(addresses))

    def _allow(self, entry: str) -> None:
        value = entry.strip().lower().removeprefix("[").removesuffix("]")
        if not value:
            return
        try:
            self._networks.append(ipaddress.ip_network(value, strict=False))
            return
        except ValueError:
            pass
        if "/" in value or ":" in value:
            raise ConfigurationError(
                f"{_ALLOW_SETTING}: {entry!r} is neither a host name nor an IP network."
            )
        if value.startswith("*."):
            self._suffixes.append(value[1:].rstrip("."))
        else:
            self._names.add(value.rstrip("."))

    def _name_allowed(self, host: str) -> bool:
        name = host.lower().rstrip(".")
        return name in self._names or any(name.endswith(s) for s in self._suffixes)

    def _network_allowed(self, address: IPAddress) -> bool:
        candidates = {address, embedded(address)}
        return any(a in network for a in candidates for network in self._networks)


def _address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
