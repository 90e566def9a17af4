#!/usr/bin/env bash
# Runs a Tierlab command on a Slurm cluster as N shards (a job array) and merges them (a job
# that depends on the array), printing the merge job's id.
#
#   scripts/slurm/submit.sh -n SHARDS -o OUT [-w WORKDIR] [-b TIERLAB] [-- SBATCH_OPTION...] -- COMMAND FILE [ARGS...]
#
# COMMAND is run, sweep or sensitivity; FILE and ARGS are those of the command (no --shard,
# --out or --threads: the script sets them). WORKDIR (default OUT.shards) must be on a file
# system every node sees. Example, the baseline at a million runs in 16 shards:
#
#   scripts/slurm/submit.sh -n 16 -o results -- run scenarios/baseline.toml --runs 1000000
#
# Options given between the first and second `--` go to both sbatch calls (e.g. --partition).
set -euo pipefail
usage() { sed -n '2,14p' "$0" >&2; exit 2; }
shards="" out="" workdir="" bin="$(command -v tierlab || true)"
while getopts "n:o:w:b:h" opt; do
  case $opt in
    n) shards=$OPTARG ;; o) out=$OPTARG ;; w) workdir=$OPTARG ;; b) bin=$OPTARG ;; *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ -n "$shards" ] && [ -n "$out" ] && [ -n "$bin" ] || usage
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "-n takes a positive number of shards" >&2; exit 2; }
sbatch_opts=()
if [ "${1:-}" = "--" ]; then
  shift
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do sbatch_opts+=("$1"); shift; done
fi
[ "${1:-}" = "--" ] && shift
[ $# -ge 2 ] || usage
case $1 in run | sweep | sensitivity) ;; *) echo "COMMAND must be run, sweep or sensitivity" >&2; exit 2 ;; esac
bin=$(readlink -f "$bin")
workdir=$(readlink -m "${workdir:-$out.shards}")
out=$(readlink -m "$out")
here=$(dirname "$(readlink -f "$0")")
# Validate before anything is queued: a bad scenario fails here, not in N jobs.
"$bin" validate "$2" >/dev/null
mkdir -p "$workdir"
export TIERLAB="$bin" WORKDIR="$workdir" SHARDS="$shards" OUT="$out"
array=$(sbatch --parsable --export=ALL --chdir="$workdir" --array="1-$shards" "${sbatch_opts[@]}" \
  "$here/shard.sbatch" "$@")
array=${array%%;*}
merge=$(sbatch --parsable --export=ALL --chdir="$workdir" --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  "${sbatch_opts[@]}" "$here/merge.sbatch")
echo "submitted shards as job array $array and the merge as job ${merge%%;*} (output: $out)" >&2
echo "${merge%%;*}"
