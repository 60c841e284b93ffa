#!/usr/bin/env bash
# Every case of the reliability issue, run as a user would; prints each command, its stderr's
# last line and its exit status. Needs the project's venv (README) and a few quick fits
# (cached). Run by hand: bash benchmarks/reliability_cases.sh > benchmarks/reliability_cases.md
set -u
cd "$(dirname "$0")/.."
RM=".venv/bin/rivalrymodel"
PY=".venv/bin/python"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ATH="Josh Kerr;Jakob Ingebrigtsen;Niels Laros;Cole Hocker"

run() {  # run NAME CMD...: the command, its last stderr line, stdout's first lines, exit status
  local name=$1; shift
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  echo "### $name"
  echo
  echo '```'
  local shown
  shown=$(printf '%q ' "$@")
  echo "\$ ${shown//$T/\$T}"
  head -n "${HEAD:-0}" "$T/out" | sed "s#$T#\$T#g"
  tail -n 1 "$T/err" | sed "s#$T#\$T#g"
  echo "exit $rc; stderr lines: $(wc -l <"$T/err"); traceback: $(grep -c Traceback "$T/err")"
  echo '```'
  echo
}

echo "# Reliability cases, run as written ($(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD))"
echo
echo "\`bash benchmarks/reliability_cases.sh\`: each case's command, the last line it writes to"
echo "stderr (and the first lines of its table where it succeeds) and its exit status."
echo

# 1. two processes on one empty cache, then a third run
export RIVALRYMODEL_CACHE="$T/cache"
for i in 1 2; do
  $RM forecast --quick --date 2025-09-17 --athletes "$ATH" >"$T/p$i" 2>"$T/e$i" &
done
wait
$RM forecast --quick --date 2025-09-17 --athletes "$ATH" >"$T/p3" 2>"$T/e3"
echo "### 1. two concurrent forecasts on an empty cache, then a third"
echo
echo '```'
for i in 1 2 3; do
  echo "run $i: $(grep -c Traceback "$T/e$i") tracebacks; $(grep -E 'INGEBRIGTSEN|KERR|LAROS|HOCKER' "$T/p$i" | awk '{print $1, $2, $3, $4, $5}' | paste -sd ';' -)"
done
cmp -s "$T/p1" "$T/p2" && cmp -s "$T/p1" "$T/p3" && echo "the three tables are identical"
echo "cache: $(ls "$T/cache" | grep -c '\.nc$') entries, $(ls "$T/cache" | grep -c '\.lock$') lock files"
echo '```'
echo
unset RIVALRYMODEL_CACHE

$RM fit --quick --as-of 2025-09-13 --out "$T/fit.nc" >/dev/null 2>&1
F="$T/fit.nc"
run "2. the same runner twice (name and id)" $RM forecast --fit "$F" --date 2025-09-17 --athletes "Jakob Ingebrigtsen;14653717"
run "2. the same runner twice (two spellings)" $RM forecast --fit "$F" --date 2025-09-17 --athletes "KERR Josh;Josh Kerr"
HEAD=4 run "3. runners the fit never saw" $RM forecast --fit "$F" --date 2025-09-17 --athletes "Asbel Kiprop;Josh Kerr;Matthew Centrowitz"
$PY - "$F" "$T/bad.nc" <<'PYEOF'
import sys, shutil, h5py
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    f["posterior/distance_sd"][0, 0] = -46.1
PYEOF
run "4. a flipped value in a saved fit" $RM forecast --fit "$T/bad.nc" --date 2025-09-17 --athletes "$ATH"
head -c 5000 "$F" >"$T/cut.nc"
run "4. a truncated fit" $RM forecast --fit "$T/cut.nc" --date 2025-09-17 --athletes "$ATH"
run "5. h2h before the fit's cutoff" $RM h2h "Josh Kerr" "Jakob Ingebrigtsen" --fit "$F" --date 2025-01-10
run "5. --as-of after the race date" $RM forecast --as-of 2025-09-13 --date 2025-09-10 --athletes "$ATH"
run "6. --as-of with --fit" $RM forecast --fit "$F" --as-of 2025-09-13 --date 2025-09-17 --athletes "$ATH"
run "6. StartList(paced='no')" $PY -c "import rivalrymodel as rm; rm.StartList(['A', 'B'], date='2025-09-17', paced='no')"
run "--top-k -3" $RM forecast --fit "$F" --date 2025-09-17 --athletes "$ATH" --top-k -3
run "--top-k 0" $RM forecast --fit "$F" --date 2025-09-17 --athletes "$ATH" --top-k 0
run "--out into a missing directory" $RM forecast --fit "$F" --date 2025-09-17 --athletes "$ATH" --out "$T/nowhere/x.csv"
run "--start-list given a directory" $RM forecast --fit "$F" --date 2025-09-17 --start-list "$T"
printf 'athlete,athlete\nJosh Kerr,x\n' >"$T/twice.csv"
run "a CSV with a column twice" $RM forecast --fit "$F" --date 2025-09-17 --start-list "$T/twice.csv"
printf '\xef\xbb\xbfathlete\nJosh Kerr\nJakob Ingebrigtsen\n' >"$T/bom.csv"
HEAD=3 run "a start list with a UTF-8 BOM" $RM forecast --fit "$F" --date 2025-09-17 --start-list "$T/bom.csv"
echo x >"$T/file"
run "backtest with an unwritable --out" $RM backtest --baselines uniform --variants "" --out "$T/file/x"
run "fit --draws 0" $RM fit --as-of 2025-01-01 --draws 0 --out "$T/f.nc"
run "fit --max-draws below the draws" $RM fit --as-of 2025-01-01 --max-draws 1000 --out "$T/f.nc"
# data messages: copies of the bundled data with one fault each
$PY - "$T" <<'PYEOF'
import shutil, sys
from pathlib import Path
import pandas as pd
t = Path(sys.argv[1])
for name in ("old", "bom", "quote", "latin1", "empty"):
    shutil.copytree("data", t / name, ignore=shutil.ignore_patterns("sources", "*.md"))
races = pd.read_csv(t / "old/races.csv", dtype=str, keep_default_na=False)
i = races.index[races["event"].eq("5000m") & races["championship"].eq("false")][0]
races.loc[i, ["date", "season"]] = ["2003-07-04", "2003"]  # a 5000m of 2003, normal times
races.to_csv(t / "old/races.csv", index=False)
print(races.loc[i, "race_id"], file=open(t / "old_race", "w"))
path = t / "bom/athletes.csv"
path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
with (t / "quote/races.csv").open("a") as fh:
    fh.write('R4,"2023-09-01,2023\n')
path = t / "latin1/athletes.csv"
path.write_bytes(path.read_bytes().replace(b"Josh KERR", b"Josh K\xe9RR", 1))
for f in (t / "empty").glob("*.csv"):
    f.write_text(f.read_text().splitlines()[0] + "\n")
PYEOF
HEAD=2 run "data: a 5000m in 2003 with a normal time" $RM summary --data "$T/old"
HEAD=2 run "data: a UTF-8 BOM" $RM summary --data "$T/bom"
run "data: an unterminated quote" $RM summary --data "$T/quote"
run "data: a Latin-1 byte" $RM summary --data "$T/latin1"
run "data: header-only files" $RM summary --data "$T/empty"

set -m  # job control: a background job of a script would otherwise ignore SIGINT (Ctrl-C)
RIVALRYMODEL_CACHE="$T/cache-int" $RM fit --as-of 2025-09-13 --out "$T/int.nc" >"$T/out" 2>"$T/err" &
sleep 30  # an empty cache: the interrupt comes while sampling
kill -INT $! ; wait $!
rc=$?
echo "### Ctrl-C during a fit"
echo
echo '```'
echo "exit $rc; $(tail -n 1 "$T/err"); stderr lines: $(wc -l <"$T/err"); traceback: $(grep -c Traceback "$T/err")"
echo '```'
echo
