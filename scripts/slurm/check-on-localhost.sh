#!/usr/bin/env bash
# The Slurm scripts tested for real: the baseline run as a job array of 4 shards and a
# dependent merge on the local cluster (localhost-cluster.sh), and the merged files compared
# byte for byte with one machine's run (summary.json without its wall time and threads).
#   scripts/slurm/check-on-localhost.sh TIERLAB_BINARY [SHARDS]
set -euo pipefail
bin=$(readlink -f "${1:?the tierlab binary}")
shards=${2:-4}
here=$(dirname "$(readlink -f "$0")")
root=$(readlink -f "$here/../..")
work=$(mktemp -d /tmp/tierlab-slurm.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$here/localhost-cluster.sh" >/dev/null
scenario="$root/scenarios/baseline.toml"
"$bin" run "$scenario" --quiet --out "$work/one-machine" >/dev/null
job=$("$here/submit.sh" -n "$shards" -o "$work/merged" -b "$bin" -- run "$scenario")
state=""
for _ in $(seq 1 600); do
  state=$(scontrol show job "$job" -o 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 || true)
  case $state in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) break ;; esac
  sleep 1
done
if [ "$state" != COMPLETED ]; then
  echo "the merge job $job ended as '${state:-unknown}'; job output:" >&2
  tail -n 20 "$work"/merged.shards/*.out >&2 || true
  exit 1
fi
strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [d["meta"].pop(k) for k in ("wall_time_s","threads")]; print(json.dumps(d, sort_keys=True))' "$1"; }
for f in runs.csv jurisdictions.csv params.csv series.csv; do
  cmp "$work/one-machine/$f" "$work/merged/$f"
done
[ "$(strip "$work/one-machine/summary.json")" = "$(strip "$work/merged/summary.json")" ] || {
  echo "summary.json differs beyond wall time and threads" >&2
  exit 1
}
echo "Slurm: $shards shards (job array) and the dependent merge (job $job) give one machine's files byte for byte"
