#!/bin/bash
# Prints one bench/run.sh result: the per-operation table, the scale table when the run had one,
# the targets of issues #8 and #22 (PASS/FAIL for information only) and the failures.
# Usage: bench/report.sh RESULT.json. Reads only the JSON.
set -eu
cd "$(dirname "$0")/.."
result=${1:?usage: bench/report.sh RESULT.json}
# column (bsdextrautils) aligns the tables; without it (the guest) they stay tab-separated.
table() { if command -v column >/dev/null; then column -t -s $'\t'; else cat; fi; }
jq -r --arg part ops -f bench/table.jq "$result" | table
if [ "$(jq '.scale | length' "$result")" != 0 ]; then
        echo
        jq -r --arg part scale -f bench/table.jq "$result" | table
fi
echo
jq -r '.targets[] | "\(if .pass == true then "PASS" elif .pass == false then "FAIL" else "n/a " end)  \(.name): \(.value | tojson) (limit \(.limit // "-"))"' \
        "$result"
jq -r '.failures | to_entries[] | "failed: \(.key) x\(.value)"' "$result"
