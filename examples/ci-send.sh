#!/bin/sh
# Award badges and e-mail them to their earners from any CI system (the shell twin of
# examples/github-actions/award-and-send.yml). Run it in the badge project folder:
#
#   examples/ci-send.sh roster.csv python-basics     # issue, then send what this run issued
#   examples/ci-send.sh --remind P30D                 # daily: remind holders of expiring badges
#
# Each credential is e-mailed exactly once (the ledger records every message): a re-run sends
# nothing twice, and a reminder goes once per credential and window. Keep the ledger
# (.badgekit/ledger.sqlite3) between runs, as after examples/ci-award.sh; it holds the earners'
# addresses, so keep it private.
#
# Secrets, from the CI system's secret store (never on a command line, never in badgekit.toml):
# BADGEKIT_KEY_PEM        the issuer's private key (PEM text); not needed for --remind
# BADGEKIT_SMTP_URL       the server: smtps://badges@mail.example.edu:465 (no password in it)
# BADGEKIT_SMTP_PASSWORD  its password (read by badgekit itself, never printed)
# BADGEKIT_SMTP_CA_FILE   optional: the CA of a relay with a private certificate (PEM file)
# SMTP_FROM               optional: the sender address (default: [smtp] from, else the issuer's email)
# Exit status: badgekit's (0 done, 1 rows rejected or messages refused, 2 the server could not be used).
set -eu
usage="usage: ci-send.sh ROSTER.csv BADGE-CLASS | ci-send.sh --remind DURATION"
: "${BADGEKIT_SMTP_URL:?set BADGEKIT_SMTP_URL to the SMTP server URL from your secret store}"
# badgekit from the Python that installed it, even when its scripts folder is not on PATH
badgekit() { "${PYTHON:-python3}" -m badgekit "$@"; }
# send with the sender address, when one is given
send() {
  if [ -n "${SMTP_FROM:-}" ]; then badgekit send --from "$SMTP_FROM" "$@"; else badgekit send "$@"; fi
}

if [ "${1:-}" = --remind ]; then
  window=${2:?$usage}
  send --expiring "$window" --json > send-report.json
  echo "reminders sent for credentials expiring within $window (send-report.json)" >&2
  exit 0
fi

roster=${1:?$usage}
badge=${2:?$usage}
: "${BADGEKIT_KEY_PEM:?set BADGEKIT_KEY_PEM to the issuer key (PEM) from your secret store}"

# The key goes to a file only this user can read, and is removed however the script ends.
key_dir=$(mktemp -d)
trap 'rm -rf "$key_dir"' EXIT
trap 'exit 130' INT TERM
(umask 077 && printf '%s\n' "$BADGEKIT_KEY_PEM" > "$key_dir/issuer-key.pem")
chmod 600 "$key_dir/issuer-key.pem"
unset BADGEKIT_KEY_PEM

# --strict: if any roster row is bad, nothing is signed or sent (exit status 1)
badgekit issue "$roster" --badge "$badge" --key "$key_dir/issuer-key.pem" --strict --bake png --json > issue-report.json
badgekit status publish --key "$key_dir/issuer-key.pem" --out site/status --valid-for P30D
rm -rf "$key_dir"
# every credential of this roster not sent yet: this run's, and any an earlier run left unsent
send --roster "$roster" --badge "$badge" --json > send-report.json
# each credential's delivery, for the record (no addresses)
badgekit report --deliveries --csv > out/deliveries.csv
echo "issued and sent (issue-report.json, send-report.json, out/deliveries.csv); status lists in site/status/ (upload them)" >&2
