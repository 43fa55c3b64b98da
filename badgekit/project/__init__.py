"""The badge project: ``badgekit.toml``, the issuer profile, the signing key and the folders.

``badgekit init`` writes a project; every other command finds it by walking up from the current
folder (:func:`find_project`). The file is small and meant to be edited by hand:

.. code-block:: toml

    [issuer]                      # the OB 3.0 issuer Profile
    id = "did:key:z6Mk…"          # or did:web:example.edu (then verification_method = "…#key-1")
    name = "Example University"
    url = "https://example.edu"
    email = "badges@example.edu"
    image = "https://example.edu/logo.png"
    # jwt_verification_method = "did:web:example.edu#rsa-1"   # kid of RS256 VC-JWTs (RSA key);
    #                             default "<id>#<the RSA key's JWK thumbprint>", as key did-web lists it

    [project]                     # paths are relative to this file
    key_path = "issuer-key.pem"
    badges_dir = "badges"
    output_dir = "out"
    status_base_url = "https://example.edu/status/"
    templates_dir = "templates"   # optional: your own badge-class templates (a list is fine)

    [roster]                      # optional
    date_format = "DMY"           # numeric dates such as 04/03/2026 are day first (MDY: month first)

    [render]                      # optional
    font = "fonts/NotoSansCJK-Regular.ttc"   # badge PNGs: characters DejaVu Sans lacks (a list is fine)
    [ledger]                      # optional: a PostgreSQL ledger shared with other projects
    url = "postgresql://badgekit@db.example.edu/badges?sslmode=verify-full"   # no password here
    [smtp]                        # optional: the server `badgekit send` delivers through
    url = "smtp+starttls://badges@mail.example.edu:587"   # no password here (BADGEKIT_SMTP_PASSWORD)
    from = "badges@example.edu"   # default: the issuer's email
    ca_file = "relay-ca.pem"      # optional: trust this CA (PEM) for the server's certificate, not the system's

Other members of ``[issuer]`` are copied into the profile when they are OB 3.0 Profile properties
that hold text (``description``, ``phone``, ``official`` …, :data:`PROFILE_TEXT_MEMBERS`); any
other member is an error here rather than in every credential (object-valued ones such as
``address`` or ``parentOrg`` fail the OB schema, undefined terms are not signed, and
``endorsementJwt`` is missing from the context revision the DCC stack ships).
Unknown tables are left alone for other tools. ``init`` never overwrites a file: run it again and
it only reports what is already there.
The package: ``_config`` reads ``badgekit.toml`` into a :class:`Project`; ``_init`` creates a
project. Every public name is importable from here.
"""

from __future__ import annotations

from badgekit.project._config import (
    CONFIG_NAME,
    DEFAULT_BADGES_DIR,
    DEFAULT_KEY_FILE,
    DEFAULT_OUTPUT_DIR,
    DID_DOCUMENT_NAME,
    LEDGER_RELATIVE,
    PROFILE_TEXT_MEMBERS,
    Project,
    find_project,
)
from badgekit.project._init import (
    InitResult,
    init_project,
    next_steps_text,
    parse_did_web,
    render_config,
)

__all__ = [
    "CONFIG_NAME",
    "DEFAULT_BADGES_DIR",
    "DEFAULT_KEY_FILE",
    "DEFAULT_OUTPUT_DIR",
    "DID_DOCUMENT_NAME",
    "LEDGER_RELATIVE",
    "PROFILE_TEXT_MEMBERS",
    "InitResult",
    "Project",
    "find_project",
    "init_project",
    "next_steps_text",
    "parse_did_web",
    "render_config",
]
