"""Redis storage URIs: ``redis://``, ``rediss://`` (TLS), ``redis+unix://`` and
``redis+cluster://h:p,h:p``, parsed into a ``Target`` without connecting. Errors name what is
wrong and never show the password."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ...errors import ConfigurationError

CONFIG_KEY = "ONBOARDING_STORAGE_URI"
# Query parameters a URI may carry, by scheme.
_SSL_OPTIONS = ("ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile", "ssl_check_hostname")
_OPTIONS: Mapping[str, tuple[str, ...]] = {
    "redis": ("db",),
    "rediss": ("db", *_SSL_OPTIONS),
    "redis+unix": ("db",),
    "redis+cluster": (),
}


@dataclass(frozen=True)
class Target:
    """A parsed storage URI: what to connect to, without building a client."""

    cluster: bool
    options: dict[str, Any] = field(default_factory=dict)
    nodes: tuple[tuple[str, int], ...] = ()
    safe_uri: str = ""  # the URI with any password masked, for messages

    @property
    def secret(self) -> str | None:
        password = self.options.get("password")
        return password if isinstance(password, str) and password else None


def _bad(uri: str, what: str, value: str | None = None) -> ConfigurationError:
    """The error for a malformed URI. ``value`` (the offending part) is quoted only when
    it is visible in the masked URI anyway: a mis-split URI must not leak its password."""
    masked = mask_uri(uri)
    if value is not None and value in masked:
        what = f"{what}: {value!r}"
    return ConfigurationError(
        f"{CONFIG_KEY}: {what} in {masked!r}; expected e.g. redis://[:password@]host:6379/0, "
        "rediss://..., redis+unix:///path/to/redis.sock?db=0 or redis+cluster://host:7000,host:7001"
    )


def mask_uri(uri: str) -> str:
    """The URI with the password part of its user info replaced by ``***``."""
    # Deliberately cruder than URL parsing: an unencoded '/' or '@' in a password
    # must not let part of it through, so everything up to the last '@' is masked.
    scheme, sep, rest = uri.partition("://")
    userinfo, at, tail = rest.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return uri
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{tail}"


def _credentials(uri: str, netloc: str) -> tuple[dict[str, Any], str]:
    """Split ``user:password@hosts`` into client options and the hosts part."""
    userinfo, at, hosts = netloc.rpartition("@")
    options: dict[str, Any] = {}
    if not at:
        return options, netloc
    user, colon, password = userinfo.partition(":")
    if not colon:
        raise _bad(uri, "user info without ':' (write :password@ or user:password@)")
    if user:
        options["username"] = unquote(user)
    if password:
        options["password"] = unquote(password)
    return options, hosts


def _host_port(uri: str, text: str, default_port: int | None) -> tuple[str, int]:
    """``host:port`` or ``[v6]:port``; the port may be omitted only when a default is given."""
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise _bad(uri, "malformed IPv6 address (write [address]:port)", text)
        port_text = rest[1:] if rest else ""
    else:
        host, _, port_text = text.rpartition(":") if ":" in text else (text, "", "")
    if not host:
        raise _bad(uri, "missing host")
    if not port_text:
        if default_port is None:
            raise _bad(uri, "missing port for a node", text)
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _bad(uri, "invalid port", port_text)
    return host, int(port_text)


def _db(uri: str, text: str) -> int:
    if not text.isdigit():
        raise _bad(uri, "database must be a non-negative integer", text)
    return int(text)


def _query(uri: str, scheme: str, query: str) -> dict[str, str]:
    try:
        pairs = parse_qs(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise _bad(uri, "malformed query string") from None
    allowed = _OPTIONS[scheme]
    result: dict[str, str] = {}
    for name, values in pairs.items():
        if name not in allowed:
            known = ", ".join(allowed) or "none"
            raise _bad(uri, f"unsupported option (supported: {known})", name)
        if len(values) != 1:
            raise _bad(uri, "option given more than once", name)
        result[name] = values[0]
    return result


def _ssl_options(uri: str, query: Mapping[str, str]) -> dict[str, Any]:
    options: dict[str, Any] = {"ssl": True}
    for name in _SSL_OPTIONS:
        if name not in query:
            continue
        value = query[name]
        if name == "ssl_cert_reqs" and value not in ("none", "optional", "required"):
            raise _bad(uri, "ssl_cert_reqs must be none, optional or required")
        if name == "ssl_check_hostname":
            if value not in ("true", "false"):
                raise _bad(uri, "ssl_check_hostname must be true or false")
            options[name] = value == "true"
        else:
            options[name] = value
    return options


def parse_uri(uri: str) -> Target:
    """Parse a Redis storage URI; raise ConfigurationError naming what is wrong."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        raise _bad(uri, "unparsable URI") from None
    scheme = parts.scheme
    if scheme not in _OPTIONS:
        raise _bad(uri, "unknown scheme", scheme)
    if parts.fragment:
        raise _bad(uri, "unexpected '#' fragment")
    query = _query(uri, scheme, parts.query)
    options, hosts = _credentials(uri, parts.netloc)
    safe = mask_uri(uri)
    if scheme == "redis+cluster":
        return _cluster_target(uri, hosts, parts.path, options, safe)
    if scheme == "redis+unix":
        if hosts:
            raise _bad(uri, "a unix socket URI has no host (write redis+unix:///path/to.sock)")
        if not parts.path or parts.path == "/":
            raise _bad(uri, "missing socket path")
        options["unix_socket_path"] = unquote(parts.path)
        options["db"] = _db(uri, query.get("db", "0"))
        return Target(cluster=False, options=options, safe_uri=safe)
    host, port = _host_port(uri, hosts, 6379)
    path_db = parts.path.strip("/")
    if path_db and "db" in query:
        raise _bad(uri, "database given both in the path and as ?db=")
    options.update(host=host, port=port, db=_db(uri, path_db or query.get("db", "0")))
    if scheme == "rediss":
        options.update(_ssl_options(uri, query))
    return Target(cluster=False, options=options, safe_uri=safe)


def _cluster_target(uri: str, hosts: str, path: str, options: dict[str, Any], safe: str) -> Target:
    if path not in ("", "/", "/0"):
        raise _bad(uri, "Redis Cluster has only database 0")
    if not hosts:
        raise _bad(uri, "missing startup nodes (write redis+cluster://host:port,host:port)")
    nodes = tuple(_host_port(uri, item.strip(), None) for item in hosts.split(","))
    return Target(cluster=True, options=options, nodes=nodes, safe_uri=safe)
