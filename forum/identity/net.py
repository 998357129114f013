"""Client addresses, reduced before anything can store or log them.

A raw address is never written anywhere (API.md, privacy guarantees). What is kept is a keyed
HMAC: of the whole address for per-client rate limits, of its /24 (IPv4) or /48 (IPv6)
network for ban-evasion fingerprints.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress


def _key(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"saheli:{purpose}:{secret}".encode()).digest()


def network_of(address: str) -> str:
    """The /24 or /48 network an address belongs to, as text ("unknown" if unparseable)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def network_fingerprint(address: str, secret: str) -> str:
    """Keyed HMAC-SHA256 (hex, 64 chars) of the address's /24 or /48 network."""
    return hmac.new(_key(secret, "network"), network_of(address).encode(), "sha256").hexdigest()


def address_fingerprint(address: str, secret: str) -> str:
    """Keyed HMAC-SHA256 (hex) of the whole address: a rate-limit key that is not the address."""
    return hmac.new(_key(secret, "address"), address.strip().encode(), "sha256").hexdigest()
