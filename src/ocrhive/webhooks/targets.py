"""Which URLs a webhook may call: the operator's allow-list. By default only public addresses, so
a client cannot make the server call into its own private network (loopback, 10/8, cloud
metadata at 169.254.169.254, …)."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: the allow-list word for "any public address"
PUBLIC = "public"


@dataclass(frozen=True, kw_only=True)
class TargetPolicy:
    """Addresses and host names deliveries may go to."""

    allow_public: bool = True
    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str) -> TargetPolicy:
        """From ``OCRHIVE_WEBHOOK_ALLOW``: comma-separated ``public``, networks (``10.0.0.0/8``,
        ``127.0.0.1``) and host names (``hooks.example.com``). Empty allows nothing."""
        allow_public, networks, hosts = False, [], set()
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            if item.lower() == PUBLIC:
                allow_public = True
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                hosts.add(item.lower().rstrip("."))
        return cls(allow_public=allow_public, networks=tuple(networks), hosts=frozenset(hosts))

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be called (None: it may). Resolves the host name."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "a webhook URL must be an absolute http:// or https:// URL"
        host = parts.hostname.lower().rstrip(".")
        if host in self.hosts:
            return None
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return f"the host {host} cannot be resolved"
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if any(address in net for net in self.networks):
                continue
            if self.allow_public and address.is_global:
                continue
            return (
                f"{host} resolves to {address}, which this server's webhook allow-list "
                "(OCRHIVE_WEBHOOK_ALLOW) does not include"
            )
        return None
