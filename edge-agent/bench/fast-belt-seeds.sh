#!/usr/bin/env bash
# The capture benchmark of BENCHMARKS.md: fast-belt (colour + UV cameras, 3 m/s), one 60-s real-time run per seed,
# then the runs pooled. Run it on an otherwise idle machine: a busy one drops frames and loses captures.
#
#   edge-agent/bench/fast-belt-seeds.sh OUT_DIR [COLOUR_MODEL_DIR] [SEEDS...]     (default seeds 7-14, ~10 min)
#
# Writes OUT_DIR/SEED.json (simulate's JSON line), tracks-SEED.csv, escapes-SEED.png and err-SEED.log, and prints one
# line per seed and the pooled figures. With SIGHTS=1 it also writes sights-SEED.csv (simulate --sights: what each
# camera shows of every contaminant; about a minute more a seed) and prints capture by how plainly the contaminants
# were shown. Needs the built agent (./mvnw -q install -DskipTests) and python3.
set -euo pipefail
out=${1:?usage: fast-belt-seeds.sh OUT_DIR [COLOUR_MODEL_DIR] [SEEDS...]}
model=${2:-}
shift $(( $# < 2 ? $# : 2 ))
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(7 8 9 10 11 12 13 14)
here=$(cd "$(dirname "$0")/../.." && pwd)
jar=$here/edge-agent/target/winnow-agent.jar
[ -f "$jar" ] || { echo "no $jar: build first (./mvnw -q install -DskipTests)" >&2; exit 2; }
if [ -n "$model" ] && [ ! -f "$model/model.json" ]; then
  echo "$model is not a model folder (no model.json)" >&2; exit 2
fi
mkdir -p "$out"
for s in "${seeds[@]}"; do
  extra=()
  [ -n "$model" ] && extra=(--model "colour-1=$model")
  [ "${SIGHTS:-0}" = 1 ] && extra+=(--sights "$out/sights-$s.csv")
  echo "seed $s ..." >&2
  java -jar "$jar" simulate --scenario fast-belt --json --seed "$s" --tracks "$out/tracks-$s.csv" \
      --escapes "$out/escapes-$s.png" "${extra[@]}" 2>"$out/err-$s.log" | tail -1 > "$out/$s.json"
done
python3 - "$out" "${seeds[@]}" <<'PY'
import json, sys
out, seeds = sys.argv[1], sys.argv[2:]
c = k = e = u = p = sp = late = ok = 0
for s in seeds:
    j = json.load(open(f"{out}/{s}.json"))
    c += j["contaminants"]; k += j["captured"]; e += j["escapes"]; u += j["escapes_no_camera_shows"]
    p += j["pulses"]; sp += j["spurious_pulses"]; late += j["late_decisions"]; ok += j["capture_rate"] >= 0.99
    print(f"seed {s}: capture {j['capture_rate']:.4f}, escaped {j['escapes']} {j['escaped_by_class']} "
          f"({j['escapes_no_camera_shows']} shown by no camera), spurious {j['spurious_pulses']}/{j['pulses']}, "
          f"timing p99 {j['timing_error_ms']['p99']} ms, dropped frames {j['dropped_frames']}, late {j['late_decisions']}")
print(f"pooled: capture {k / c:.4f} ({k}/{c}), >= 0.99 in {ok} of {len(seeds)} runs, escaped {e} ({u} shown by no "
      f"camera), spurious {100 * sp / p:.2f} % ({sp}/{p}), late {late}")
import csv, os
if all(os.path.exists(f"{out}/sights-{s}.csv") for s in seeds):
    bands = [(0, 4), (4, 20), (20, 40), (40, None), (20, None)]
    n = {b: 0 for b in bands}; esc = {b: 0 for b in bands}
    for s in seeds:
        for row in csv.DictReader(open(f"{out}/sights-{s}.csv")):
            px = max(int(v) for key, v in row.items() if key.endswith("_px"))
            for lo, hi in bands:
                if px >= lo and (hi is None or px < hi):
                    n[(lo, hi)] += 1; esc[(lo, hi)] += row["outcome"] == "escaped"
    total = sum(n[b] for b in bands[:4])
    for lo, hi in bands:
        b = (lo, hi)
        rate = f"{1 - esc[b] / n[b]:.4f}" if n[b] else "-"
        print(f"shown by {lo}{'+' if hi is None else f'-{hi - 1}'} pixels (best camera): {n[b]} contaminants "
              f"({100 * n[b] / total:.1f} %), {esc[b]} escaped, capture {rate}")
PY
