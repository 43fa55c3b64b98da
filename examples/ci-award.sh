#!/bin/sh
# Award badges from any CI system (the shell twin of examples/github-actions/award-badges.yml).
# Run it in the badge project folder, after the job that wrote the roster:
#
#   BADGEKIT_KEY_PEM="$(cat issuer-key.pem)" examples/ci-award.sh roster.csv python-basics
#
# and once a week from the CI system's scheduler, awarding or not:
#
#   BADGEKIT_KEY_PEM="$(cat issuer-key.pem)" examples/ci-award.sh --republish
#
# The status lists are published with --valid-for P30D, and verifiers refuse an expired list:
# without a republish every badge would verify INVALID 30 days after the last award. Upload
# site/status/ and keep the ledger after either run.
#
# Install badgekit from its repository, pinned to the full commit you reviewed, not from the
# package index (no release there yet; whoever took the name would run code next to the key):
#   python3 -m pip install "badgekit @ git+https://github.com/OWNER/badgekit@<commit>"
#
# BADGEKIT_KEY_PEM   the issuer's private key (PEM text, from the CI system's secret store)
# BADGEKIT_KEY_PASSPHRASE  its passphrase, if it is encrypted (read by badgekit itself)
# BUNDLE_URL_BASE    where the recipient bundles will be hosted (optional)
# Exit status: badgekit's (0 all issued, 1 some rows rejected: with --strict nothing is signed).
set -eu
usage="usage: ci-award.sh ROSTER.csv BADGE-CLASS | ci-award.sh --republish"
if [ "${1:-}" = --republish ]; then
  roster=
else
  roster=${1:?$usage}
  badge=${2:?$usage}
fi
: "${BADGEKIT_KEY_PEM:?set BADGEKIT_KEY_PEM to the issuer key (PEM) from your secret store}"
# badgekit from the Python that installed it, even when its scripts folder is not on PATH
badgekit() { "${PYTHON:-python3}" -m badgekit "$@"; }

# The key goes to a file only this user can read, and is removed however the script ends.
key_dir=$(mktemp -d)
trap 'rm -rf "$key_dir"' EXIT
trap 'exit 130' INT TERM
(umask 077 && printf '%s\n' "$BADGEKIT_KEY_PEM" > "$key_dir/issuer-key.pem")
chmod 600 "$key_dir/issuer-key.pem"
unset BADGEKIT_KEY_PEM

if [ -z "$roster" ]; then
  badgekit status publish --key "$key_dir/issuer-key.pem" --out site/status --valid-for P30D
  echo "status lists re-signed in site/status/ (upload them)" >&2
  exit 0
fi

# --strict: if any roster row is bad, nothing is signed (exit status 1)
set -- --bundle
if [ -n "${BUNDLE_URL_BASE:-}" ]; then
  set -- --bundle --bundle-url-base "$BUNDLE_URL_BASE"
fi
badgekit issue "$roster" --badge "$badge" --key "$key_dir/issuer-key.pem" \
  --strict --json --bake png "$@" > issue-report.json
badgekit status publish --key "$key_dir/issuer-key.pem" --out site/status --valid-for P30D
badgekit report --html out/report.html
badgekit log --kind issued --jsonl > out/events.jsonl
echo "credentials, bundles and report in out/; status lists in site/status/ (upload them)" >&2
