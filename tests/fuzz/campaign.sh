#!/usr/bin/env bash
# A recorded fuzz campaign: runs the libFuzzer targets one after the other for a given time,
# merges the inputs that add coverage into the committed corpora (tests/fuzz/corpus/<target>)
# and appends one line per run to tests/fuzz/campaign.log, from which --summary sums the CPU
# time, coverage and findings per target (docs/SECURITY.md "Fuzz campaign").
#
# Usage:
#   tests/fuzz/campaign.sh [--time=SECONDS] [--no-merge] [--no-build] [target...]
#                                             (default: all targets, 420 s each, built first)
#   tests/fuzz/campaign.sh --summary                                    (markdown table of the log)
#
# Environment: EDUGATE_FUZZ_BUILD (default build-fuzz) is the libFuzzer tree, configured and built
# with clang if missing; its campaign/<target>/ holds the scratch corpus (kept between rounds, so
# a round continues where the last stopped), the run's output and any findings
# (crash-*, timeout-*, oom-*, leak-*, slow-unit-*). The fuzzers run at nice 19, one at a time.
#
# A finding ends a libFuzzer run; the script records it and starts the target again for the time
# left (at most 5 runs per target), so one finding does not end the round. Each input has a
# timeout (5 s; default -max_len), so an input whose cost grows faster than its size is a
# finding, not a slow run; fuzz_xml_guard gets inputs up to 2 MiB for that (see CMakeLists.txt).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$(realpath -m "${EDUGATE_FUZZ_BUILD:-$ROOT/build-fuzz}")
LOG="$HERE/campaign.log"
ALL=(xml_guard envelope identifiers json_xml pipeline inbox wssec internal http_edge logo kwalificaties crl_answer
     http_json)
# What a merge may add to a committed corpus, so the replay in every test run (fuzz_smoke_*,
# tests/fuzz/CMakeLists.txt) stays within a few seconds of what it was: inputs of at most
# MERGE_MAX_BYTES, at most MERGE_MAX_NEW per round (the smallest first) and MERGE_MAX_FILES in all.
MERGE_MAX_BYTES=${MERGE_MAX_BYTES:-16384}
MERGE_MAX_NEW=${MERGE_MAX_NEW:-40}
MERGE_MAX_FILES=${MERGE_MAX_FILES:-120}
HEADER=$'# date\tcommit\ttarget\tcpu_s\twall_s\truns\texecs\tcov\tft\tscratch_files\tcorpus_files\tadded\tcrashes\ttimeouts\tooms\tleaks\tslow'

summary() {
  [ -f "$LOG" ] || { echo "no campaign log yet ($LOG)" >&2; exit 1; }
  awk -F'\t' -v goal=24 '
    /^#/ || NF < 17 { next }
    {
      t = $3
      if (!(t in cpu)) order[++n] = t
      cpu[t] += $4; execs[t] += $7; rounds[t]++
      if ($8 > cov[t]) cov[t] = $8
      if ($9 > ft[t]) ft[t] = $9
      files[t] = $11
      found[t] += $13 + $14 + $15 + $16
      slow[t] += $17
      total += $4
      last = $1
    }
    END {
      print "| target | rounds | CPU time | executions | edges (cov) | features (ft) | corpus files | findings |"
      print "|---|---:|---:|---:|---:|---:|---:|---:|"
      for (i = 1; i <= n; i++) {
        t = order[i]
        printf "| %s | %d | %.1f min | %d | %d | %d | %d | %d |\n", t, rounds[t], cpu[t] / 60, execs[t], cov[t], ft[t], files[t], found[t]
      }
      printf "| **all** | | **%.2f h** | | | | | |\n", total / 3600
      printf "\n%.2f of %d CPU-hours (%.1f%%), %.2f h left; last run %s.\n", total / 3600, goal, 100 * total / 3600 / goal,
             (goal * 3600 - total > 0 ? (goal * 3600 - total) / 3600 : 0), last
    }' "$LOG"
}

build_tree() {
  if [ ! -f "$BUILD/build.ninja" ]; then
    CC=${CC:-clang-14} CXX=${CXX:-clang++-14} cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DEDUGATE_FUZZ=ON -DEDUGATE_BENCH=OFF || exit 1
  fi
  local targets=()
  for t in "$@"; do targets+=("fuzz_$t"); done
  [ "$BUILD_FIRST" -eq 1 ] && { nice -n 10 cmake --build "$BUILD" -j"${JOBS:-1}" --target "${targets[@]}" || exit 1; }
  # The test PKI (what ctest's pki fixture makes in a normal tree): pipeline, internal and
  # crl_answer read it at EDUGATE_TEST_PKI_DIR, which is <build>/test-pki.
  "$ROOT/certs-example/make-pki.sh" "$BUILD/test-pki" >/dev/null || exit 1
}

# The stats of one libFuzzer output: the last "cov: ... ft: ..." line and -print_final_stats.
stat_of() {  # file key
  case "$2" in
    cov|ft) grep -aoE "(^|[^a-z])$2: [0-9]+" "$1" | tail -1 | grep -oE '[0-9]+$' ;;
    *) grep -a "^stat::$2:" "$1" | tail -1 | awk '{print $2}' ;;
  esac
}

run_target() {  # target seconds
  local t=$1 secs=$2 dir="$BUILD/campaign/$1" bin="$BUILD/tests/fuzz/fuzz_$1"
  local committed="$HERE/corpus/$t"
  mkdir -p "$dir/corpus" "$dir/findings"
  cp -n "$committed"/* "$dir/corpus/" 2>/dev/null
  local extra=(-timeout=5 -report_slow_units=2)
  case "$t" in
    xml_guard) extra=(-max_len=2097152 -timeout=5 -report_slow_units=2 -rss_limit_mb=4096) ;;
    # The example PKI's own CRLs are seeds too (as in fuzz_smoke_crl_answer).
    crl_answer) for c in issuing.crl issuing.crl.pem domain.crl; do
                  cp -n "$BUILD/test-pki/crl/$c" "$dir/corpus/pki-$c" 2>/dev/null; done ;;
  esac
  local start=$SECONDS cpu=0 runs=0 execs=0 cov=0 ft=0 left=$secs
  local before_findings
  before_findings=$(ls "$dir/findings" | wc -l)
  : > "$dir/output.txt"
  while [ "$left" -gt 10 ] && [ "$runs" -lt 5 ]; do
    runs=$((runs + 1))
    local out="$dir/run-$runs.txt"
    ( cd "$dir" && nice -n 19 /usr/bin/time -f '%U %S' -o "$dir/time.txt" "$bin" -max_total_time="$left" \
        -print_final_stats=1 "${extra[@]}" -artifact_prefix="$dir/findings/" corpus ) >"$out" 2>&1
    local rc=$?
    cat "$out" >> "$dir/output.txt"
    cpu=$(awk -v c="$cpu" 'END { printf "%.1f", c + $(NF-1) + $NF }' "$dir/time.txt")
    execs=$((execs + $(stat_of "$out" number_of_executed_units || echo 0)))
    local c f
    c=$(stat_of "$out" cov); f=$(stat_of "$out" ft)
    [ -n "$c" ] && [ "$c" -gt "$cov" ] && cov=$c
    [ -n "$f" ] && [ "$f" -gt "$ft" ] && ft=$f
    left=$((secs - (SECONDS - start)))
    if [ $rc -ne 0 ]; then
      echo "  fuzz_$t: run $runs ended with $rc: $(grep -aE '^==[0-9]+==ERROR|^SUMMARY|ALARM|out-of-memory|Test unit written' "$out" | head -3 | tr '\n' ' ')" >&2
      [ "$(ls "$dir/findings" | wc -l)" -eq "$before_findings" ] && break   # no artifact: not a finding to go past
    fi
  done
  local wall=$((SECONDS - start))
  count() { find "$dir/findings" -name "$1-*" -newer "$dir/started" | wc -l; }
  local crashes timeouts ooms leaks slow
  crashes=$(count crash); timeouts=$(count timeout); ooms=$(count oom); leaks=$(count leak); slow=$(count slow-unit)

  local added=0
  if [ "$MERGE" -eq 1 ]; then
    # Merge into a copy of the committed corpus: what is new there adds coverage to it.
    local m="$dir/merge" small="$dir/merge-in"
    rm -rf "$m" "$small"; mkdir -p "$m" "$small"
    cp "$committed"/* "$m/" 2>/dev/null
    find "$dir/corpus" -maxdepth 1 -type f -size -$((MERGE_MAX_BYTES + 1))c ! -name 'pki-*' -exec cp -t "$small" {} +
    ( cd "$dir" && nice -n 19 "$bin" -merge=1 "${extra[@]}" "$m" "$small" ) >"$dir/merge.txt" 2>&1 ||
      echo "  fuzz_$t: merge failed, see $dir/merge.txt" >&2
    local room=$((MERGE_MAX_FILES - $(ls "$committed" | wc -l)))
    [ "$room" -gt "$MERGE_MAX_NEW" ] && room=$MERGE_MAX_NEW
    if [ "$room" -gt 0 ]; then
      while read -r size name; do
        cp "$m/$name" "$committed/$name"; added=$((added + 1))
      done < <(cd "$m" && for n in *; do [ -e "$committed/$n" ] || echo "$(stat -c %s "$n") $n"; done | sort -n | head -n "$room")
    fi
  fi
  local files scratch
  files=$(ls "$committed" | wc -l); scratch=$(ls "$dir/corpus" | wc -l)
  local commit
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  git -C "$ROOT" diff --quiet HEAD -- . ':!tests/fuzz/corpus' ':!tests/fuzz/campaign.log' 2>/dev/null || commit="$commit+"
  [ -f "$LOG" ] || echo "$HEADER" > "$LOG"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$commit" "$t" \
    "$cpu" "$wall" "$runs" "$execs" "$cov" "$ft" "$scratch" "$files" "$added" "$crashes" "$timeouts" "$ooms" "$leaks" \
    "$slow" >> "$LOG"
  echo "fuzz_$t: ${cpu} CPU s in ${wall} s, $execs executions, cov $cov ft $ft, corpus $files files (+$added)," \
       "findings: $crashes crash $timeouts timeout $ooms oom $leaks leak $slow slow"
}

SECS=420
MERGE=1
BUILD_FIRST=1
TARGETS=()
for a in "$@"; do
  case "$a" in
    --summary) summary; exit 0 ;;
    --time=*) SECS=${a#--time=} ;;
    --no-merge) MERGE=0 ;;
    --no-build) BUILD_FIRST=0 ;;   # the binaries as they are (say, while the others are being built)
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) echo "unknown option $a" >&2; exit 2 ;;
    *) [ -f "$HERE/fuzz_$a.cc" ] || { echo "no target $a (tests/fuzz/fuzz_$a.cc)" >&2; exit 2; }
       TARGETS+=("$a") ;;
  esac
done
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")

build_tree "${TARGETS[@]}"
for t in "${TARGETS[@]}"; do
  mkdir -p "$BUILD/campaign/$t"; touch "$BUILD/campaign/$t/started"
  run_target "$t" "$SECS"
done
