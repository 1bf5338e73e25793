"""Who is asking: the client address every throttle and the login lockout count by.

`X-Forwarded-For` is written by whoever sends the request, so it is trusted only as far as the
deployment says: TRUSTED_PROXY_COUNT proxies in front of the server, each appending the address it
received the request from. Read the chain `X-Forwarded-For` + the connection's own address
(`REMOTE_ADDR`) from the right: the last N entries are the trusted proxies, so the entry before them
(the right-most-but-N) is the client. With no proxy (the default) that is `REMOTE_ADDR`, and no header
can change it; a chain shorter than the proxy count gives its left-most entry (DRF's NUM_PROXIES rule,
which settings keep equal to TRUSTED_PROXY_COUNT).

IPv6 clients are counted by their /64 network: one subscriber usually holds a whole /64, and could
otherwise take a fresh address for every request.
"""

import ipaddress

from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle

IPV6_CLIENT_PREFIX = 64


def _parse(entry):
    """An address from one chain entry (`1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:443`), else None."""
    text = entry.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _counted(address):
    if address.version == 6:
        return str(ipaddress.IPv6Network((address, IPV6_CLIENT_PREFIX), strict=False).network_address)
    return str(address)


def client_address(request):
    """The client's address as text (an IPv6 client's /64 network address), or None when there is none."""
    meta = request.META
    chain = [entry for entry in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    chain.append(meta.get("REMOTE_ADDR") or "")
    proxies = max(settings.TRUSTED_PROXY_COUNT, 0)
    address = _parse(chain[max(len(chain) - 1 - proxies, 0)]) or _parse(chain[-1])
    return _counted(address) if address else None


class ClientAddressThrottle(ScopedRateThrottle):
    """DRF's scoped throttle (rates in REST_FRAMEWORK's DEFAULT_THROTTLE_RATES), counted by `client_address`."""

    def get_ident(self, request):
        return client_address(request) or "unknown"
