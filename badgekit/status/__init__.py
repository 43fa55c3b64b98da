"""W3C Bitstring Status List 1.0: build, sign-ready and check revocation and suspension lists.

A status list is a bitstring of at least 131,072 entries, one bit per credential (index 0 = the most
significant bit of byte 0), published as ``encodedList`` = ``"u"`` + base64url-no-pad(GZIP(bits))
inside a ``BitstringStatusListCredential`` signed by the credential's issuer. A credential points
at its bit with a ``BitstringStatusListEntry`` in ``credentialStatus``.

Nothing here fetches: :func:`check_status` works only on list credentials the caller supplies,
and a list that is not supplied gives "indeterminate", never "valid". Decompression is bounded, so
a gzip bomb is an error rather than an out-of-memory crash.
"""

from badgekit.status._bitstring import MAX_LIST_BYTES, MIN_ENTRIES, Bitstring, StatusListError
from badgekit.status._check import (
    MAX_REVOKED_ENTRIES,
    REVOCATION_LIST_TYPE,
    StatusCheck,
    StatusMemo,
    StatusState,
    check_status,
)
from badgekit.status._credential import (
    ENTRY_TYPE,
    LIST_CREDENTIAL_TYPE,
    LIST_TYPE,
    PURPOSES,
    StatusPurpose,
    list_credential,
    load_status_lists,
    sign_list_credential,
    status_entry,
)

__all__ = [
    "ENTRY_TYPE",
    "LIST_CREDENTIAL_TYPE",
    "LIST_TYPE",
    "MAX_LIST_BYTES",
    "MAX_REVOKED_ENTRIES",
    "MIN_ENTRIES",
    "PURPOSES",
    "REVOCATION_LIST_TYPE",
    "Bitstring",
    "StatusCheck",
    "StatusListError",
    "StatusPurpose",
    "StatusMemo",
    "StatusState",
    "check_status",
    "list_credential",
    "load_status_lists",
    "sign_list_credential",
    "status_entry",
]
