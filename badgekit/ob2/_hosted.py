"""Hosted OB 2.0 assertions (OB 2.0 "HostedBadge Verification"): is the URL an assertion is hosted
at one the issuer vouches for, and does the hosted copy say what the earner holds?

The issuer Profile's ``verification`` (a VerificationObject) scopes hosted assertions:
``startsWith`` (the assertion ``id`` must start with one of them) and ``allowedOrigins`` (host
names; default: the host of the issuer Profile's ``id``). This is what ties a hosted copy to its
issuer, as a key's ``owner`` does for a signed one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from badgekit._legacy import is_http_url, normalize_url
from badgekit.ob2._objects import as_list


def host_of(url: str) -> str:
    """The authority of a URL, lower-cased (``example.org``, ``example.org:8443``)."""
    try:
        return urlsplit(url).netloc.lower().rpartition("@")[2]
    except ValueError:
        return ""


def scope_problem(assertion_id: str, profile: Mapping[str, Any]) -> tuple[str | None, str]:
    """(why ``assertion_id`` is outside the issuer's hosted-verification scope or None, the
    scope in words) for the issuer ``profile``."""
    authority = assertion_id.partition("://")[2].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in authority or "\\" in authority:
        # user information, or a backslash a browser reads as "/": parsers disagree on the host,
        # so the copy a verifier downloads may not come from the host checked here
        return (f"the assertion URL {assertion_id[:120]} has user information (…@) or a backslash before its path: "
                "URL parsers disagree on which host serves it", "none")
    policy = profile.get("verification")
    policy = policy if isinstance(policy, Mapping) else {}
    issuer_id = str(profile.get("id", ""))
    starts = [s for s in as_list(policy.get("startsWith")) if isinstance(s, str) and s]
    if starts and not any(normalize_url(assertion_id).startswith(normalize_url(s)) for s in starts):
        shown = ", ".join(starts[:3])
        return (f"the assertion {assertion_id} does not start with the issuer's verification.startsWith "
                f"({shown})", f"startsWith {shown}")
    origins = [o.lower() for o in as_list(policy.get("allowedOrigins")) if isinstance(o, str) and o]
    if not origins:
        origins = [host_of(issuer_id)] if is_http_url(issuer_id) else []
        declared = "the issuer Profile's own origin"
    else:
        declared = "verification.allowedOrigins"
    if not origins:
        return (f"the issuer {issuer_id} has no HTTP(S) origin and declares no allowedOrigins: no hosted "
                "assertion can be in its scope", "none")
    host = host_of(assertion_id)
    scope = f"{declared}: {', '.join(origins[:3])}" + (f"; startsWith {', '.join(starts[:3])}" if starts else "")
    if host not in origins:
        return f"the assertion is hosted at {host or '?'}, outside {scope}", scope
    return None, scope


def first_difference(held: Mapping[str, Any], hosted: Mapping[str, Any]) -> str | None:
    """The first top-level property in which two copies of an assertion differ, or None."""
    for key in sorted(set(held) | set(hosted)):
        if key not in hosted:
            return f"{key} (only in the earner's copy)"
        if key not in held:
            return f"{key} (only in the hosted copy)"
        if urls_normalized(held[key]) != urls_normalized(hosted[key]):
            return key
    return None


def urls_normalized(value: Any) -> Any:
    """``value`` (parsed JSON) with every http(s) URL string's scheme and host in lower case
    (:func:`badgekit._legacy.normalize_url`): how two copies of a document are compared."""
    if isinstance(value, str):
        return normalize_url(value)
    if isinstance(value, Mapping):
        return {k: urls_normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [urls_normalized(v) for v in value]
    return value
