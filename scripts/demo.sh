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

step "the demo network: five years of a fictional national network, with synthetic chats ingested and triaged"
$VIGIL demo

step "the published figures, computed from the records"
$VIGIL report stats --from 2022-10-01 --to 2023-09-30
$VIGIL report stats --from 2021-04-01 --to 2022-03-31 --format pdf --out "$VIGIL_HOME/stats-2021-22.pdf" --purpose "demo: annual return"

step "triage: conversations ranked by urgency, then risk (a lead for a trained person, never a verdict)"
$VIGIL triage --limit 5

step "batch scoring without a workspace: vigil scan (synthetic, non-graphic segments)"
cat >"$VIGIL_HOME/segments.csv" <<'CSV'
conversation,sender,time,text
family,parent,2026-03-01T17:00:00Z,what time is football tomorrow
family,teen,2026-03-01T17:01:00Z,5 i think
family,parent,2026-03-01T17:02:00Z,dad will pick you up at 5
contact,user_a,2026-03-01T20:00:00Z,how old are you
contact,user_b,2026-03-01T20:01:00Z,im 13
contact,user_a,2026-03-01T20:02:00Z,are your parents home
contact,user_a,2026-03-01T20:03:00Z,keep this between us ok
contact,user_a,2026-03-01T20:04:00Z,we could meet at the park on saturday at 3
club,coach,2026-03-01T09:00:00Z,reminder: bring your consent form on monday
club,parent,2026-03-01T09:05:00Z,thanks coach
CSV
$VIGIL scan --in "$VIGIL_HOME/segments.csv" --out "$VIGIL_HOME/scores.csv"
cat "$VIGIL_HOME/scores.csv"

cases=$($VIGIL triage --json --limit 50 | jq -r '[.conversations[].case_ref] | unique | .[]')
member_args=(--member OP-DEMO)
for c in $cases; do member_args+=(--member "$c"); done

step "web workbench: demo sign-in"
$VIGIL user demo demo "${member_args[@]}"
printf '\nDemo workspace: %s\n' "$VIGIL_HOME"
if [ "${VIGIL_DEMO_SERVE:-1}" = 1 ] && [ -t 1 ]; then
  step "serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
  exec $VIGIL serve --host 127.0.0.1 --port 8000
else
  echo "To browse it: VIGIL_HOME=$VIGIL_HOME $VIGIL serve   (then open http://127.0.0.1:8000)"
fi
