#!/bin/sh
# The main job on the bundled example (the README's first command). In ./badgekit-demo it creates
# an issuer project with a signing key, a badge class from a template, one signed Open Badges 3.0
# credential per row of examples/roster.csv (each also baked into a PNG badge), the issuer's
# status lists, and then verifies a baked badge offline. Safe to re-run: nothing is overwritten and
# nothing is issued twice.
set -eu
examples=$(cd "$(dirname "$0")" && pwd)
dir=${1:-badgekit-demo}
# the same Python pip installed into, even when its scripts folder is not on PATH
badgekit() { "${PYTHON:-python3}" -m badgekit "$@"; }

badgekit init "$dir" --no-input --name "Example University" --url https://example.edu --email badges@example.edu
cd "$dir"
[ -f badges/python-basics.yaml ] || badgekit badge new --template course-completion --no-input \
  --set course_name="Python Basics" --set course_code=CS-101 --out badges/python-basics.yaml
badgekit badge validate badges/python-basics.yaml
badgekit issue "$examples/roster.csv" --badge badges/python-basics.yaml --bake png
badgekit status publish
badge=$(ls out/*.png | head -n 1)
echo
echo "Verifying $badge offline:"
badgekit verify "$badge" --status-list out/status
