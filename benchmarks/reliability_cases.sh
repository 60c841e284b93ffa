#!/usr/bin/env bash
# Every case of the reliability issue, run as a user would; prints each command, its stderr's
# last line and its exit status. Needs the project's venv (README) and a few quick fits
# (cached). Run by hand: bash benchmarks/reliability_cases.sh > benchmarks/reliability_cases.md
# (RM and PY may be given, e.g. RM="python -m rivalrymodel.cli" PY=python for another venv).
set -u
cd "$(dirname "$0")/.."
RM=${RM:-".venv/bin/rivalrymodel"}
PY=${PY:-".venv/bin/python"}
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
  shown=${SHOW:-$(printf '%q ' "$@")}  # SHOW: what to print instead of the command
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

# --- Reliability v2 (issue 30): each case as the issue gives it ----------------------------
echo "## Reliability v2 (issue 30)"
echo
api() {  # api NAME CODE: Python (rm, pd, F, T defined); a project error is its one line, exit 2
  local name=$1 code=$2
  SHOW="python (rm, pd; F: the saved fit, T: a folder):$code" run "$name" $PY -c "
import sys, warnings
import pandas as pd
import rivalrymodel as rm
F, T = sys.argv[1], sys.argv[2]
try:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
$(printf '%s\n' "$code" | sed 's/^/        /')
    for w in caught:
        print(f'warning: {w.message}')  # on stdout: every one is shown
except rm.RivalryModelError as err:
    print(f'{type(err).__name__}: {err}', file=sys.stderr)
    sys.exit(2)
" "$F" "$T"
}
SHEET_HEAD="date,competition,event,round,heat,place,athlete,country,time,status,source"
sheet() {  # sheet FILE ROW...: a results sheet with the header and these rows
  local file=$1; shift
  printf '%s\n' "$SHEET_HEAD" "$@" >"$file"
}
URL="https://example.org/case"
FITQ=($RM fit --quick --as-of 2025-09-13 --out "$T/q.nc")

# 1. formula injection
sheet "$T/formula.csv" "2025-03-01,Meet,1500m,final,0,1,=cmd|' /C calc'!A0,GBR,,OK,$URL" \
  "2025-03-01,Meet,1500m,final,0,2,Cole Hocker,USA,,OK,$URL"
run "v2 1. a formula as a name in a sheet" "${FITQ[@]}" --add-results "$T/formula.csv"
sheet "$T/formula2.csv" "2025-03-01,+SUM(1;2),1500m,final,0,1,Josh Kerr,GBR,,OK,$URL"
run "v2 1. a formula as a competition" "${FITQ[@]}" --add-results "$T/formula2.csv"
HEAD=4 api "v2 1. a formula name that reached a fit, written by forecast --out" '
fit = rm.load_fit(F)
tree = fit.tree
post = tree["posterior"].to_dataset()
names = post["athlete_name"].to_numpy().astype(object)
names[list(post["athlete"].to_numpy()).index("14533464")] = "=cmd|'"'"' /C calc'"'"'!A0"
tree["posterior"] = post.assign_coords(athlete_name=("athlete", names))
sl = rm.StartList(("14533464", "Jakob Ingebrigtsen"), date="2025-09-17")
out = rm.forecast(rm.Fit(tree), sl, random_seed=1).to_file(T + "/fc.csv")
print(out.read_text())'

# 2. edited fit files
edit() {  # edit NAME PYTHON: a copy of the fit edited with h5py (f), then forecast from it
  local name=$1 code=$2
  $PY - "$F" "$T/edited.nc" <<PYEOF
import json, shutil, sys, h5py
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    $code
PYEOF
  run "v2 2. $name" $RM forecast --fit "$T/edited.nc" --date 2025-09-17 --athletes "$ATH"
}
edit "two athlete ids swapped" 'ids = f["posterior/athlete"][...]; ids[[0, 1]] = ids[[1, 0]]; f["posterior/athlete"][...] = ids'
edit "the cutoff edited" 'f.attrs["cutoff"] = "2026-01-01"'
edit "the spec edited (injury off, 1 period a season)" 's = json.loads(f.attrs["spec"]); s.update(injury=False, periods_per_season=1); f.attrs["spec"] = json.dumps(s)'
edit "the absences emptied" 'f.attrs["absences"] = "[]"'
edit "version 0.0.1" 'f.attrs["rivalrymodel_version"] = "0.0.1"'
edit "version 99.0" 'f.attrs["rivalrymodel_version"] = "99.0"'

# 4. a race typed twice in one sheet
sheet "$T/twice.csv" "2025-03-01,Millrose Games,1500m,final,0,1,Josh Kerr,GBR,,OK,$URL" \
  "2025-03-01,Millrose Games,1500m,final,0,2,Cole Hocker,USA,,OK,$URL" \
  "2025-03-01,Millrose games (NY),1500m,final,0,1,Josh Kerr,GBR,,OK,$URL" \
  "2025-03-01,Millrose games (NY),1500m,final,0,2,Cole Hocker,USA,,OK,$URL"
run "v2 4. a race twice, the competition spelled another way" "${FITQ[@]}" --add-results "$T/twice.csv"
sheet "$T/heats.csv" "2025-03-01,Meet,1500m,final,0,1,Josh Kerr,GBR,,OK,$URL" \
  "2025-03-01,Meet,1500m,final,1,1,Josh Kerr,GBR,,OK,$URL"
run "v2 4. a race twice, heat 0 and heat 1" "${FITQ[@]}" --add-results "$T/heats.csv"

# 5. a malformed absences table
api "v2 5. absences= with names instead of athlete_id" '
sl = rm.StartList(("Jakob Ingebrigtsen", "Josh Kerr"), date="2025-09-17")
rm.forecast(rm.load_fit(F), sl, absences=pd.DataFrame({"athlete": ["Jakob Ingebrigtsen"], "start": ["2025-04-01"]}))'

# 6. sheet identities
printf '%s,athlete_id\n%s\n%s\n' "$SHEET_HEAD" "2025-03-01,Meet,1500m,final,0,1,Cameron Myers,AUS,,OK,$URL,14653717" \
  "2025-03-01,Meet,1500m,final,0,2,Cole Hocker,USA,,OK,$URL," >"$T/id.csv"
run "v2 6. an athlete_id contradicting the name" "${FITQ[@]}" --add-results "$T/id.csv"
for typo in "Jakob Ingebritsen" "Josh Ker"; do
  sheet "$T/typo.csv" "2025-03-01,Meet,1500m,final,0,1,$typo,,,OK,$URL" "2025-03-01,Meet,1500m,final,0,2,Cole Hocker,USA,,OK,$URL"
  HEAD=1 api "v2 6. a typo: $typo" 'print(rm.load_dataset().with_results(T + "/typo.csv").added)'
done
sheet "$T/cyr.csv" "2025-03-01,Meet,1500m,final,0,1,J$(printf '\xd0\xbe')sh Kerr,GBR,,OK,$URL"
run "v2 6. a Cyrillic o in Josh" "${FITQ[@]}" --add-results "$T/cyr.csv"
sheet "$T/digits.csv" "2025-03-01,Meet,1500m,final,0,1,14653717,,,OK,$URL"
run "v2 6. a name made of digits" "${FITQ[@]}" --add-results "$T/digits.csv"
HEAD=4 run "v2 6. a start list by alias and middle name (the sheet's resolver)" $RM forecast --fit "$F" --date 2025-09-17 --athletes "Narve Nordaas;Josh Kerr"

# 7. dates
sheet "$T/1900.csv" "1900-07-01,Meet,1500m,final,0,1,Josh Kerr,GBR,,OK,$URL"
run "v2 7. a race dated 1900" "${FITQ[@]}" --add-results "$T/1900.csv"
printf 'athlete,start,end,kind,announced,source\n%s\n%s\n' "Josh Kerr,2025-06-01,2025-08-01,injury,2025-06-02,$URL" \
  "Cole Hocker,2025-07-01,,injury,2024-01-02,$URL" >"$T/abs.csv"
sheet "$T/one.csv" "2025-03-01,Meet,1500m,final,0,1,Josh Kerr,GBR,,OK,$URL"
HEAD=3 api "v2 7. an absence spanning races, one announced long before" 'print(rm.load_dataset().with_results(T + "/one.csv", T + "/abs.csv").added)'
HEAD=1 api "v2 7. a 50,000-row sheet of new names, an error in its last race" '
import time
rows = [dict(date=f"2024-{1 + r % 12:02d}-{1 + r // 12 % 28:02d}", competition=f"Meet {r}", event="1500m",
        round="final", heat="0", place=str(p + 1), athlete=f"Newrunner{r}x{p} Person{r}", country="",
        time="", status="OK", source="https://example.org") for r in range(5000) for p in range(10)]
rows[-1]["time"] = "1:00.00"  # faster than the world record
t = time.perf_counter()
try:
    rm.load_dataset().with_results(pd.DataFrame(rows))
finally:
    print(f"{len(rows)} rows: {time.perf_counter() - t:.0f} s")'

# 8. the cache: a file in its place, a full disk
echo x >"$T/cachefile"
HEAD=3 RIVALRYMODEL_CACHE="$T/cachefile" run "v2 8. a cache path that is a file" $RM forecast --quick --date 2025-09-17 --athletes "$ATH"
mkdir -p "$T/small"
if mount -t tmpfs -o size=512k tmpfs "$T/small" 2>/dev/null; then
  run "v2 8. a full disk while saving a fit" $RM fit --quick --as-of 2025-09-13 --out "$T/small/fit.nc"
  echo "(partial files left: $(ls -A "$T/small" | wc -l))"; echo
  umount "$T/small"
else
  echo "(v2 8. full disk: no tmpfs could be mounted here; tests/test_reliability_v2.py covers it)"; echo
fi

# 9. priors and spec
api "v2 9. a negative sd" 'rm.Prior("HalfNormal", sigma=-1)'
api "v2 9. a NaN sd" 'rm.Prior("HalfNormal", sigma=float("nan"))'
api "v2 9. HalfNormal with mu" 'rm.Prior("HalfNormal", mu=1)'
api "v2 9. Prior(\"sample\")" 'rm.Prior("sample")'
api "v2 9. ModelSpec(dynamic=\"no\", time_scale=-1)" 'rm.ModelSpec(dynamic="no", time_scale=-1)'

# 10. bad values
sheet "$T/place.csv" "2025-03-01,Meet,1500m,final,0,99999999999999999999,Josh Kerr,GBR,,OK,$URL"
run "v2 10. a place of 99999999999999999999" "${FITQ[@]}" --add-results "$T/place.csv"
start=$(date +%s)
run "v2 10. backtest --scheduler tcp://127.0.0.1:1" $RM backtest --baselines uniform --variants "" --scheduler tcp://127.0.0.1:1 --out "$T/bt"
echo "(took $(( $(date +%s) - start )) s)"; echo
for arg in "date=None" "date=pd.NaT"; do
  api "v2 10. StartList($arg)" "rm.StartList(('Josh Kerr', 'Cole Hocker'), $arg)"
done
for arg in "sims=2.5" "top_k=2.5"; do
  api "v2 10. forecast($arg)" "rm.forecast(rm.load_fit(F), rm.StartList(('Josh Kerr', 'Cole Hocker'), date='2025-09-17'), $arg)"
done

# 11. sizes
api "v2 11. 300 runners" '
fit = rm.load_fit(F)
rm.forecast(fit, rm.StartList(tuple(fit.roster["athlete_id"][:300]), date="2025-09-17"))'
api "v2 11. sims=1e6" "rm.forecast(rm.load_fit(F), rm.StartList(('Josh Kerr', 'Cole Hocker'), date='2025-09-17'), sims=10**6)"

# 12. the CLI
for opt in "--variant static" "--quick" "--draws 100" "--data data"; do
  run "v2 12. --fit with $opt" $RM forecast --fit "$F" --date 2025-09-17 --athletes "$ATH" $opt
done
run "v2 12. --out fc.xlsx" $RM forecast --fit "$F" --date 2025-09-17 --athletes "$ATH" --out "$T/fc.xlsx"
run "v2 12. a failed backtest" $RM backtest --variants nope --baselines "" --out "$T/bt-new"
echo "(--out folder made: $(test -e "$T/bt-new" && echo yes || echo no))"; echo

# 13. numbers
HEAD=6 run "v2 13. top-k of 4 with a sure qualifier" $RM forecast --fit "$F" --date 2025-09-17 --athletes "$ATH;Asbel Kiprop" --top-k 4
HEAD=3 api "v2 13. head-to-head pairs both ways" '
fit = rm.load_fit(F)
for a, b in [("Josh Kerr", "Jakob Ingebrigtsen"), ("Niels Laros", "Cole Hocker"), ("Asbel Kiprop", "Josh Kerr")]:
    ab = rm.head_to_head(fit, a, b, date="2025-09-17", random_seed=1)["p_a_ahead"].iloc[0]
    ba = rm.head_to_head(fit, b, a, date="2025-09-17", random_seed=1)["p_a_ahead"].iloc[0]
    print(f"{a} v {b}: {ab:.4f} + {ba:.4f} = {ab + ba:.6f}")'
api "v2 13. Qualify(0)" 'rm.Qualify(0)'
HEAD=1 api "v2 13. fit.roster" 'r = rm.load_fit(F).roster; print(len(r), "rows,", r["athlete_id"].nunique(), "ids")'
