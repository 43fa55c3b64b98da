"""badgekit: Open Badges 3.0 credentials, issued and verified offline.

The library is a set of public modules (docs/adr/0011-library-api.md); import the ones you need,
each loads only what it uses::

    >>> from badgekit import keys, verify
    >>> key = keys.Ed25519Key.generate()             # save_key() writes it 0600, never overwriting
    >>> key.did_key.startswith("did:key:z6Mk")
    True
    >>> report = verify.verify_bytes(b'{"type": ["VerifiableCredential"]}', source="upload.json")
    >>> report.verdict, int(report.exit_code), report.failed[0].id
    ('invalid', 1, 'schema')

A failed verification is a returned report (true only when valid), never an exception; anything
that stops a call raises a :class:`badgekit.errors.BadgekitError` subclass with a one-line
message, a hint and an exit code. The library never prints, prompts, exits or touches the
network; the command line lives in :mod:`badgekit.cli`, which is not a library API.

Issuing a roster, baking, revoking and publishing status lists: README.md, "Use as a library".
Modules: ``keys``/``jwk``/``did``/``jwt``/``sdjwt``/``proof``/``jsonld`` (keys and signatures), ``schema``,
``roster``, ``credential``, ``badgeclass``, ``templates``, ``project``, ``status``, ``cache``,
``ledger``, ``baking``, ``issuing``, ``verify``, ``lifecycle``, ``delivery``, ``report``,
``errors``, ``limits``; ``ob2`` (Open Badges 2.0 assertions) and ``migrate`` (OB 2.0 → 3.0). Names starting with ``_`` are internal.
"""

__version__ = "0.1.0"

# Public modules, not imported here: `import badgekit` stays cheap (docs/adr/0010-start-up-budget.md).
__all__ = [
    "__version__",
    "badgeclass",
    "baking",
    "cache",
    "credential",
    "cryptosuites",
    "delivery",
    "did",
    "ecdsa_sd",
    "errors",
    "issuing",
    "jsonld",
    "jwk",
    "jwt",
    "keys",
    "ledger",
    "lifecycle",
    "limits",
    "migrate",
    "ob2",
    "project",
    "proof",
    "proofsets",
    "report",
    "roster",
    "schema",
    "sdjwt",
    "status",
    "templates",
    "verify",
]
