#!/usr/bin/env bash
# The web app in a real browser: builds the site (scripts/web/build.sh), serves it on
# localhost, drives Debian's headless Chromium through chromedriver (scripts/web/drive.py),
# and holds what the page computes to what the native `tierlab run` computes.
#
#   scripts/web/check.sh TIERLAB [OUT]
#
# TIERLAB: a native tierlab binary (CI's target/debug/tierlab); OUT: where the site and the
# artefacts go (default target/web-check). Checks, each counted:
# 1. the built-in scenario (`#preset=baseline`): window.tierlab.summary() equals
#    `tierlab run baseline --out` 's summary.json;
# 2. a shared link (`#s=…`, made here by Python's zlib, independently of the Rust encoder)
#    of the levers preset with a rank correlation added: the same against `tierlab run` on
#    that file, and window.tierlab.link() gives the same scenario back;
# 3. a hostile link: the page shows the built-in scenario's result and says why;
# and saves a screenshot. Summaries are compared after setting two provenance
# fields that describe the machine, not the result, equal: `threads` (the page has one) and
# `wall_time_s`; for the shared link also `scenario_file` (the page names its source
# "(shared link)", the CLI the file's path); `scenario_sha256` is compared, and equal.
set -euo pipefail

TIERLAB=$(realpath "${1:?usage: scripts/web/check.sh TIERLAB [OUT]}")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${2:-$ROOT/target/web-check}
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
SITE="$OUT/site"
WORK=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

"$ROOT/scripts/web/build.sh" "$SITE"

# A free port on the loopback interface, for each server.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
HTTP_PORT=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$SITE" "$HTTP_PORT" >"$WORK/http.log" 2>&1 &
pids+=($!)
DRIVER_PORT=$(free_port)
chromedriver --port="$DRIVER_PORT" >"$WORK/chromedriver.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  if curl -fs "http://127.0.0.1:$DRIVER_PORT/status" >/dev/null && curl -fs "http://127.0.0.1:$HTTP_PORT/" >/dev/null; then
    break
  fi
  sleep 0.1
done
SITE_URL="http://127.0.0.1:$HTTP_PORT/index.html"

passed=0
failed=0
pass() { echo "ok: $1"; passed=$((passed + 1)); }
fail() { echo "FAILED: $1"; failed=$((failed + 1)); }

drive() {
  # A fresh browser profile for every page: nothing carried over (local storage).
  local profile
  profile=$(mktemp -d -p "$WORK")
  timeout 600 python3 "$ROOT/scripts/web/drive.py" --site "$SITE_URL" --chromedriver "$DRIVER_PORT" \
    --user-data-dir "$profile" "$@"
}

# Compares two summary.json files after setting the named provenance fields equal (they
# describe the machine and the file, not the result). Every other byte must be equal: the
# engine takes every logarithm, exponential and fused multiply-add from its own code, which
# gives the same bits natively and in WebAssembly (README "Identical results").
compare() { # name web.json native.json fields-to-drop
  if python3 - "$@" <<'PY'
import json, sys
name, web, native, drop = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
a, b = json.load(open(web)), json.load(open(native))
for d in (a, b):
    for k in drop:
        d["meta"][k] = None
if json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True):
    print(f"ok: {name}: the browser's summary.json is the native one, byte for byte (apart from {', '.join(drop)})")
    sys.exit(0)
def walk(x, y, path, out):
    if isinstance(x, dict) and isinstance(y, dict) and x.keys() == y.keys():
        for k in x:
            walk(x[k], y[k], f"{path}.{k}", out)
    elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
        for i, (u, v) in enumerate(zip(x, y)):
            walk(u, v, f"{path}[{i}]", out)
    elif x != y or type(x) is not type(y):
        out.append((path, x, y))
diffs = []
walk(a, b, "", diffs)
for p, x, y in diffs[:10]:
    print(f"  {p}: browser {x!r}, native {y!r}")
print(f"FAILED: {name}: {len(diffs)} fields differ")
sys.exit(1)
PY
  then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# 1. The built-in scenario.
"$TIERLAB" run baseline --out "$WORK/native-baseline" >/dev/null
drive summary "#preset=baseline&tab=overview" "$OUT/web-baseline-summary.json" | tee "$OUT/web-baseline.json"
compare baseline "$OUT/web-baseline-summary.json" "$WORK/native-baseline/summary.json" "threads,wall_time_s"
drive screenshot "#preset=baseline&tab=overview" "$OUT/web-baseline.png" >/dev/null
[ -s "$OUT/web-baseline.png" ] && pass "screenshot saved: $OUT/web-baseline.png" || fail "no screenshot"

# 2. A shared link: levers and a rank correlation.
SCEN="$WORK/levers_correlated.toml"
{
  cat "$ROOT/scenarios/levers.toml"
  printf '\n[[correlation]]\na = "world.growth"\nb = "world.open_lag"\nrho = 0.5\n'
} >"$SCEN"
FRAGMENT=$(python3 - "$SCEN" <<'PY'
import base64, sys, zlib
text = open(sys.argv[1], "rb").read()
c = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw DEFLATE, as the link module writes
data = c.compress(text) + c.flush()
print("#s=" + base64.urlsafe_b64encode(data).decode().rstrip("=") + "&tab=thresholds")
PY
)
"$TIERLAB" run "$SCEN" --out "$WORK/native-link" >/dev/null
drive summary "$FRAGMENT" "$OUT/web-link-summary.json" | tee "$OUT/web-link.json"
compare shared-link "$OUT/web-link-summary.json" "$WORK/native-link/summary.json" "threads,wall_time_s,scenario_file"
python3 - "$OUT/web-link.json" "$FRAGMENT" <<'PY' && pass "the page's link() carries the same scenario and tab" || fail "the page's link() is not the link opened"
import base64, json, sys, zlib
got = json.load(open(sys.argv[1]))["link"].split("#", 1)[1]
want = sys.argv[2][1:]
def text(fragment):
    kv = dict(p.split("=", 1) for p in fragment.split("&"))
    raw = base64.urlsafe_b64decode(kv["s"] + "=" * (-len(kv["s"]) % 4))
    return zlib.decompress(raw, -15), kv.get("tab")
sys.exit(0 if text(got) == text(want) else 1)
PY

# 3. A hostile link: the built-in scenario, and the reason on the status line.
drive summary "#s=AAAA%%%%&tab=thresholds" "$OUT/web-bad-summary.json" >"$OUT/web-bad.json"
if python3 - "$OUT/web-bad.json" "$OUT/web-bad-summary.json" <<'PY'
import json, sys
info, summary = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ok = info["errors"].startswith("The link was not opened") and summary["meta"]["scenario_file"] == "baseline.toml (built in)"
print(info["errors"].replace("\n", " | "))
sys.exit(0 if ok else 1)
PY
then pass "a hostile link shows the built-in scenario and says why"; else fail "a hostile link"; fi

echo "web check: $passed passed, $failed failed"
[ "$failed" = 0 ]
