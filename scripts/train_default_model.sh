#!/usr/bin/env bash
# Train the default model Vigil ships, through the evaluation harness (`make model`).
#
# The labelled data (../shared/eval/grooming/dev.bin, real research chats, explicit) never
# leaves the harness's private temporary folder: the harness runs its 5-fold cross-validation,
# `vigil model train` fits one scorer per fold there (indicator weights, hashed n-gram model,
# stacker), and only those weights and the harness's aggregate figures are copied out.
# `vigil model merge` then averages the five folds into one model (together they have seen all
# the data) and writes the indicator weights beside the taxonomy. No text, no vocabulary.
set -euo pipefail
cd "$(dirname "$0")/.."
HARNESS=${HARNESS:-../shared/eval/grooming/grooming_eval.py}
DATA=${DATA:-../shared/eval/grooming/dev.bin}
OUT=${OUT:-src/vigil/analysis/learn/default_model}
WEIGHTS=${WEIGHTS:-src/vigil/analysis/taxonomy/_weights.json}
VIGIL=${VIGIL:-.venv/bin/vigil}
[ -f "$HARNESS" ] || { echo "no evaluation harness at $HARNESS" >&2; exit 2; }
work=$(mktemp -d)
chmod 700 "$work"
trap 'rm -rf "$work"' EXIT
echo "training one scorer per cross-validation fold inside the harness (a few minutes)..."
python3 "$HARNESS" cv --json --data "$DATA" \
  --train-cmd "$VIGIL model train --data {train} --out {model} --test-fraction 0 && cp -r {model} $work/\$(basename \$(dirname {model}))" \
  --score-cmd "$VIGIL scan --model {model} --in {segments} --out {scores}" >"$work/cv.json"
rm -rf "$OUT.new"
"$VIGIL" model merge "$work"/fold* --out "$OUT.new" --weights-out "$WEIGHTS" \
  --harness "$work/cv.json" --data-file "$DATA" \
  --data-name "PAN 2012 sexual-predator identification corpus, 1,073 labelled segments (127 from offender conversations, adult decoys) via the Cybergrooming_Detection_IM validation split"
rm -rf "$OUT"
mv "$OUT.new" "$OUT"
echo "default model written to $OUT; indicator weights to $WEIGHTS"
cat "$work/cv.json"
