#!/usr/bin/env bash
# `make demo`: Vigil's main job on the embedded SQLite default, end to end.
# A fresh demo workspace under vigil-data/demo; benign synthetic files only.
set -euo pipefail
cd "$(dirname "$0")/.."
export VIGIL_HOME="${VIGIL_HOME:-$PWD/vigil-data/demo}"
export VIGIL_USER="${VIGIL_USER:-demo.officer}"
export COLUMNS="${COLUMNS:-160}"
VIGIL=".venv/bin/vigil"
rm -rf "$VIGIL_HOME"
mkdir -p "$VIGIL_HOME/incoming"
in="$VIGIL_HOME/incoming"

step() { printf '\n== %s\n' "$*"; }

step "create the workspace (SQLite in $VIGIL_HOME)"
$VIGIL admin init
$VIGIL case create OP-DEMO --title "Demonstration operation (fictional)" --unit "Demo ROCU" --tz Europe/London

step "register evidence"
printf '12/03/2024, 18:02 - Sam: are we still on for football practice?\n12/03/2024, 18:05 - Alex: yes, 6pm at the park\n' > "$in/chat-export.txt"
printf 'Device report (synthetic). Handset: demo phone.\n' > "$in/device-report (copy).txt"
$VIGIL evidence add "$in/chat-export.txt" "$in/device-report (copy).txt" --case OP-DEMO \
  --source "Seized handset, demo" --acquired-by "Jane Smith" --acquired-at 2024-03-13T09:30
$VIGIL evidence add "$in/chat-export.txt" --case OP-DEMO --source "Second copy from the family" --acquired-by "Jane Smith"
$VIGIL evidence list --case OP-DEMO

step "read an exhibit on the record"
$VIGIL evidence open JS/1 --case OP-DEMO --purpose "demo: review of the chat export" --out "$in/working-copy.txt"

step "verify the store and the custody chain"
$VIGIL evidence verify

step "export a bundle a defence expert can re-check"
$VIGIL evidence export --case OP-DEMO --out "$VIGIL_HOME/OP-DEMO-bundle.zip"
$VIGIL evidence verify-bundle "$VIGIL_HOME/OP-DEMO-bundle.zip"

step "custody log"
$VIGIL evidence log --case OP-DEMO
printf '\nDemo workspace: %s\n' "$VIGIL_HOME"
