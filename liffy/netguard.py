"""The address policy of every outgoing request whose URL a user chose (today: the page miner).

A user's URL may name this machine, the private network or a cloud metadata service. The policy:
only http(s), no credentials in the URL, no `localhost` names, and every address the host resolves
to must be publicly routable — not loopback, private, shared (CGNAT), link-local, multicast,
reserved or unspecified, IPv4 and IPv6 alike, including IPv4 addresses inside IPv6 (mapped,
6to4, NAT64, Teredo) and the numeric spellings C libraries accept (`127.1`, `2130706433`,
`0x7f000001`, `0177.0.0.1`).

`guarded_session()` applies it to every request it sends: its transport resolves the host once,
checks every address, and connects only to the addresses it checked (no second DNS lookup, so a
name that changes its answer between the check and the connection gains nothing); the Host header,
TLS SNI and certificate check still use the name. Proxies and .netrc from the environment are
ignored. Redirects are the caller's to follow: each hop is a new request, checked again.

The setting MINING_ALLOW_PRIVATE_ADDRESSES (for an intranet deployment or a test suite) turns the
address checks off; the scheme and credential checks stay.
"""

import ipaddress
import re
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

SCHEMES = ("http", "https")
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
MAX_ADDRESSES = 4  # of a host's DNS answers, the first few are tried in turn
NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
# One part of a numeric IPv4 host as inet_aton reads it: hexadecimal, octal (leading zero) or decimal.
NUMBER_PART = re.compile(r"(0[xX][0-9a-fA-F]*)|(0[0-7]*)|([1-9][0-9]*)")


class RefusedURL(ValueError):
    """A URL that must not be fetched; the message says why, in words for the user."""


class NameNotResolved(requests.ConnectionError):
    """The host name has no address."""


def allow_private_addresses():
    return settings.MINING_ALLOW_PRIVATE_ADDRESSES


def numeric_address(host):
    """The IP address a numeric host spells (every form inet_aton accepts, IPv6 with or without
    brackets or zone), or None for a name."""
    host = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        match = NUMBER_PART.fullmatch(part)
        if not match:
            return None
        hexadecimal, octal, decimal = match.groups()
        numbers.append(int(hexadecimal[2:] or "0", 16) if hexadecimal else int(octal, 8) if octal else int(decimal))
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (4 - len(leading)):
        return None
    value = 0
    for n in leading:
        value = value << 8 | n
    return ipaddress.IPv4Address(value << 8 * (4 - len(leading)) | last)


def _embedded_ipv4(address):
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, NAT64, Teredo), if any."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if any(address in prefix for prefix in NAT64_PREFIXES) or (int(address) >> 32 == 0 and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address):
    """Why `address` may not be fetched ('a loopback address', …), or None when it is public."""
    if address.version == 6:
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return address_refusal(embedded)
    for test, kind in (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_private, "a private address"),
        (address.version == 4 and address in SHARED_ADDRESS_SPACE, "a shared (CGNAT) address"),
        (address.is_reserved, "a reserved address"),
        (not address.is_global, "a non-public address"),
    ):
        if test:
            return kind
    return None


def check_url(url, allow_private=None):
    """Refuse (RefusedURL) what the URL alone shows: scheme, credentials, local names, non-public IPs."""
    allow_private = allow_private_addresses() if allow_private is None else allow_private
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        raise RefusedURL(f"the URL cannot be read ({error})") from error
    if parts.scheme.lower() not in SCHEMES:
        raise RefusedURL("only http and https URLs can be fetched")
    if not parts.hostname:
        raise RefusedURL("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise RefusedURL("the URL must not contain a user name or password")
    if allow_private:
        return parts
    host = parts.hostname.rstrip(".")
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        raise RefusedURL(f"{host} names this machine")
    address = numeric_address(host)
    if address is not None and (reason := address_refusal(address)):
        raise RefusedURL(f"{host} is {reason}")
    return parts


def resolve(host, port, allow_private=None):
    """The addresses to connect to for `host`, each one checked; RefusedURL when any is not public.

    One bad answer refuses the host: a name that mixes public and private addresses is not trusted.
    """
    allow_private = allow_private_addresses() if allow_private is None else allow_private
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise NameNotResolved(f"the host name {host} could not be resolved") from error
    addresses = list(dict.fromkeys(answer[4][0] for answer in answers))
    if not addresses:
        raise NameNotResolved(f"the host name {host} could not be resolved")
    if not allow_private:
        for text in addresses:
            reason = address_refusal(ipaddress.ip_address(text.split("%", 1)[0]))
            if reason:
                verb = "is" if numeric_address(host) is not None else "resolves to"
                raise RefusedURL(f"{host} {verb} {reason}")
    return tuple(addresses[:MAX_ADDRESSES])


class _PinnedConnectionMixin:
    """Dials the checked addresses instead of looking the host up again; Host and TLS keep the name."""

    def __init__(self, *args, addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._addresses = addresses

    def _new_conn(self):
        name, failure = self._dns_host, None
        try:
            for address in self._addresses:
                self._dns_host = address
                try:
                    return super()._new_conn()
                except (NewConnectionError, ConnectTimeoutError) as error:
                    failure = error
        finally:
            self._dns_host = name
        raise failure


class _PinnedHTTPConnection(_PinnedConnectionMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnectionMixin, HTTPSConnection):
    pass


class _PinnedPoolManager(PoolManager):
    """Pools whose connections go to one host's checked addresses."""

    def __init__(self, addresses, **kwargs):
        super().__init__(**kwargs)
        self.addresses = addresses

    def _new_pool(self, scheme, host, port, request_context=None):
        pool = super()._new_pool(scheme, host, port, request_context)
        pool.ConnectionCls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        pool.conn_kw["addresses"] = self.addresses
        return pool


class GuardedAdapter(HTTPAdapter):
    """A transport that checks each request's URL and host addresses, then connects only to those."""

    def __init__(self, allow_private=None, **kwargs):
        self.allow_private = allow_private_addresses() if allow_private is None else allow_private
        self._managers = {}
        super().__init__(**kwargs)

    def send(self, request, *args, **kwargs):
        check_url(request.url, self.allow_private)
        return super().send(request, *args, **kwargs)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        port = host_params["port"] or (443 if host_params["scheme"] == "https" else 80)
        addresses = resolve(host_params["host"], port, self.allow_private)
        if addresses not in self._managers:
            self._managers[addresses] = _PinnedPoolManager(
                addresses, num_pools=self._pool_connections, maxsize=self._pool_maxsize, block=self._pool_block
            )
        return self._managers[addresses].connection_from_host(**host_params, pool_kwargs=pool_kwargs)

    def close(self):
        super().close()
        for manager in self._managers.values():
            manager.clear()


def guarded_session(allow_private=None):
    """A requests Session whose every request (and every redirect hop) goes through the policy."""
    session = requests.Session()
    session.trust_env = False
    adapter = GuardedAdapter(allow_private)
    for scheme in SCHEMES:
        session.mount(f"{scheme}://", adapter)
    return session
