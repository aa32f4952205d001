#!/bin/bash
# Draws the charts of one bench/run.sh result with gnuplot (Debian's gnuplot-nox):
#   DIR/ops.png    median latency of each operation per runtime, and `run` beside its floors
#   DIR/scale.png  start, list and state against the number of live containers, per runtime
# Usage: bench/plot.sh RESULT.json DIR. Reads only the JSON; never runs a container.
set -eu
result=${1:?usage: bench/plot.sh RESULT.json DIR}
dir=${2:?usage: bench/plot.sh RESULT.json DIR}
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The runtimes in the result's order, their labels and colours (a runtime keeps its colour in both charts).
names='{"runscope": "runscope", "runscope-nm": "runscope --no-machine", "base": "runscope (base build)",
        "crun": "crun --systemd-cgroup",
        "crun-fs": "crun --cgroup-manager=cgroupfs", "runc": "runc --systemd-cgroup"}'
colors='{"runscope": "#1b6ca8", "runscope-nm": "#6fa8dc", "base": "#2ca02c", "crun": "#d1495b", "crun-fs": "#edae49",
         "runc": "#6a4c93"}'
mapfile -t rts < <(jq -r '.meta.runtimes[]' "$result")
[ ${#rts[@]} -gt 0 ] || { echo "plot: no runtime in $result" >&2; exit 1; }
label() { jq -rn --argjson n "$names" --arg k "$1" '$n[$k] // $k'; }
color() { jq -rn --argjson c "$colors" --arg k "$1" '$c[$k] // "#555555"'; }
title=$(jq -r '.meta | "\(.date[0:10]), \(.machine.nproc) CPUs, kernel \(.machine.kernel), systemd \(.machine.systemd
        | split(" ")[1]), \(.machine.cgroups) cgroups, load average \(.machine.loadavg_before | split(" ")[0]) before, \(.machine.loadavg_after
        | split(" ")[0]) after; medians of \(.params.runs)"' "$result")

# ops.dat: an operation a line, a column per runtime; "-" where it was not measured.
jq -r '.meta.runtimes as $rts | .ops as $o | ["run", "create", "start", "delete", "exec", "state"][] as $op
        | [$op, ($rts[] | $o[$op][.].median // "-")] | @tsv' "$result" >"$tmp/ops.dat"
# run.dat: run per runtime, then the floors: label, ms, colour (as a number, for "lc rgb variable").
{
        for rt in "${rts[@]}"; do
                printf '%s\t%s\t%s\n' "$(label "$rt")" "$(jq -r --arg k "$rt" '.ops.run[$k].median // "-"' "$result")" \
                        "$((16#$(color "$rt" | tr -d '#')))"
        done
        jq -r '.meta.floors as $f | .ops.floor // {} | to_entries[] | select(.key != "nsenter")
                | ["floor: " + ({floor: "bench/floor.c", "systemd-run": "systemd-run --scope",
                   unshare: ($f.unshare // "unshare" | sub(" --mount-proc.*"; ""))}[.key] // .key),
                   .value.median, 8947848] | @tsv' \
                "$result"
} >"$tmp/run.dat"

plot_cols=""
for i in "${!rts[@]}"; do
        plot_cols+="${plot_cols:+, }'$tmp/ops.dat' using $((i + 2)):xtic(1) title '$(label "${rts[$i]}")' lc rgb '$(color "${rts[$i]}")'"
done
gnuplot <<EOF
set terminal pngcairo size 1400,680 font "DejaVu Sans,11"
set output "$dir/ops.png"
set datafile missing "-"
set datafile separator "\t"
set multiplot layout 1,2 title "Latency of each operation, busybox bundle, /bin/true (bench/run.sh)\n{/*0.8 $title}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set ylabel "ms (median)"
set yrange [0:*]
set grid ytics
set key top right
set title "per operation"
plot $plot_cols
unset key
set style data boxes
set boxwidth 0.7
set xtics rotate by 30 right
set title "run of /bin/true and its floors"
set bmargin 12
plot "$tmp/run.dat" using 0:2:(0.7):3:xtic(1) with boxes lc rgb variable, \
     "" using 0:2:(sprintf("%.1f", column(2))) with labels offset 0,0.7
unset multiplot
EOF

# scale.dat: a level a line: L, then start, list, state per runtime, then systemd-run (the floor, per runtime's run).
jq -r '.meta.runtimes as $rts | .ops as $o | [.ops | keys[] | select(startswith("start@")) | ltrimstr("start@")
        | tonumber] | sort[] as $l
        | [$l, ($rts[] | $o["start@\($l)"][.].median // "-"), ($rts[] | $o["list@\($l)"][.].median // "-"),
           ($rts[] | $o["state@\($l)"][.].median // "-"), ($rts[] | $o["systemd-run@\($l)"][.].median // "-")] | @tsv' \
        "$result" >"$tmp/scale.dat"
[ -s "$tmp/scale.dat" ] || { echo "plot: no scale run in $result, $dir/scale.png not drawn" >&2; exit 0; }
n=${#rts[@]}
lines() { # lines FIRST_COLUMN: a line per runtime from that column on
        local out="" i
        for i in "${!rts[@]}"; do
                out+="${out:+, }'$tmp/scale.dat' using 1:$(($1 + i)) with linespoints lw 2 pt 7 lc rgb '$(color "${rts[$i]}")'"
        done
        echo "$out"
}
ratio_lines() { # ratio_lines FIRST_COLUMN: each runtime's column divided by its value at the first level
        local out="" i c
        for i in "${!rts[@]}"; do
                c=$(($1 + i))
                out+="${out:+, }'$tmp/scale.dat' using 1:(column($c) / $(awk -F'\t' -v c="$c" 'NR == 1 {print ($c == "-" ? "NaN" : $c)}' "$tmp/scale.dat")) with linespoints lw 2 pt 7 lc rgb '$(color "${rts[$i]}")'"
        done
        echo "$out"
}
keys() { # a NaN line per runtime: the legend alone
        local out="" i
        for i in "${!rts[@]}"; do
                out+="${out:+, }NaN with linespoints lw 2 pt 7 lc rgb '$(color "${rts[$i]}")' title '$(label "${rts[$i]}")'"
        done
        echo "$out, NaN with linespoints lw 1 dt 2 pt 6 lc rgb '#888888' title 'floor: systemd-run --scope true'"
}
gnuplot <<EOF
set terminal pngcairo size 1800,620 font "DejaVu Sans,11"
set output "$dir/scale.png"
set datafile missing "-"
set datafile separator "\t"
set multiplot title "Cost against the number of live containers (bench/run.sh, scale run)\n{/*0.8 $title}"
set logscale x
set xrange [0.8:$(jq '.meta.params.scale * 1.25' "$result")]
set xlabel "live containers"
set ylabel "ms (median)"
set yrange [0:*]
set grid
unset key
set size 0.25, 0.74
set origin 0, 0.14
set title "start of one more (run -d)"
plot $(lines 2), '$tmp/scale.dat' using 1:$((2 + 3 * n)) with linespoints lw 1 dt 2 pt 6 lc rgb '#888888'
set origin 0.25, 0.14
set title "start, against start with 1 live (target 1.3)"
set ylabel "x start@1"
plot $(ratio_lines 2), 1.3 with lines dt 3 lc rgb '#888888'
set ylabel "ms (median)"
set origin 0.5, 0.14
set title "list"
plot $(lines $((2 + n)))
set origin 0.75, 0.14
set title "state of one container"
plot $(lines $((2 + 2 * n)))
set origin 0, 0
set size 1, 0.12
unset title
unset xlabel
unset ylabel
unset logscale
unset border
unset tics
unset grid
set xrange [0:1]
set yrange [0:1]
set key center center horizontal maxrows 2 width 1
plot $(keys)
unset multiplot
EOF
