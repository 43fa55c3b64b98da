"""Which module of :mod:`badgekit.cli` holds each command, and how it attaches to the root app.

Commands are imported only when used, so ``badgekit verify`` does not pay for issuing, templates
or YAML; this table is all the entry point (:func:`badgekit.cli.main`) needs to know before it
builds the one command it runs.
"""

from __future__ import annotations

#: Command name -> (module in badgekit.cli, how it attaches to the root app).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("project", "register"),
    "key": ("key", "group"),
    "badge": ("badge", "group"),
    "templates": ("templates", "group"),
    "sign": ("sign", "register"),
    "issue": ("issue", "register"),
    "bake": ("bake", "register"),
    "extract": ("bake", "register"),
    "render": ("bake", "register"),
    "verify": ("_verify_cli", "register"),
    "migrate": ("migrate", "register"),
    "revoke": ("status", "commands"),
    "suspend": ("status", "commands"),
    "unsuspend": ("status", "commands"),
    "status": ("status", "register"),
    "bundle": ("bundle", "register"),
    "send": ("send", "register"),
    "report": ("report", "register"),
    "log": ("report", "register"),
    "cache": ("cache", "group"),
    "ledger": ("ledger", "group"),
}
