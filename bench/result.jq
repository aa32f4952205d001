# bench/result.json from the raw files of one run (see bench/run.sh):
#   $samples  lines "OP RUNTIME MICROSECONDS"      $rss    lines "OP RUNTIME KIB"
#   $scale    lines "RUNTIME LIVE FAILED RAMP_MS DELETE_ALL_MS UNITS STATE MACHINES"
#   $failures lines "OP RUNTIME"                   $meta   the machine, the versions, the parameters

def lines: split("\n") | map(select(length > 0) | split(" "));
def r2: . * 100 | round / 100;
def median: sort | length as $n
        | if $n == 0 then null elif $n % 2 == 1 then .[($n - 1) / 2] else (.[$n / 2 - 1] + .[$n / 2]) / 2 end;
def stats: map(. / 1000) | sort
        | {median: (median | r2), mean: (add / length | r2), min: (.[0] | r2), max: (.[-1] | r2), n: length};
# {OP: {RUNTIME: [numbers]}}
def grouped: reduce (lines[]) as $l ({}; .[$l[0]][$l[1]] += [($l[2] | tonumber)]);
def ratio($a; $b): if $a != null and $b != null and $b > 0 then ($a / $b | r2) else null end;

($meta.params.scale) as $S
| ($samples | grouped | map_values(map_values(stats))) as $ops
| ($rss | grouped | map_values(map_values(median))) as $rss_kib
| ($failures | lines | group_by(.[0] + " " + .[1]) | map({key: (.[0] | join(" ")), value: length}) | from_entries)
        as $failed
| ([1, ($S / 10 | floor), ($S / 4 | floor), ($S / 2 | floor), $S] | map(select(. >= 1)) | unique) as $levels
| ($scale | lines | map({key: .[0], value: {
        live: (.[1] | tonumber), start_failures: (.[2] | tonumber),
        ramp_s: (.[3] | tonumber / 1000 | r2), delete_all_s: (.[4] | tonumber / 1000 | r2),
        left: {units: (.[5] | tonumber), state: (.[6] | tonumber), machines: (.[7] | tonumber)}}}) | from_entries
        | with_entries(.key as $rt | .value += {
                clean: (.value.left | .units == 0 and .state == 0 and (.machines == 0)),
                start_ms: ($levels | map({key: tostring, value: $ops["start@\(.)"][$rt].median}) | from_entries),
                list_ms: ($levels | map({key: tostring, value: $ops["list@\(.)"][$rt].median}) | from_entries),
                state_ms: ($levels | map({key: tostring, value: $ops["state@\(.)"][$rt].median}) | from_entries),
                systemd_run_ms: ($levels | map({key: tostring, value: $ops["systemd-run@\(.)"][$rt].median})
                        | from_entries),
                delete_ms: $ops["delete@\($S)"][$rt].median}
        | .value.start_ratio_max_to_1 = ratio(.value.start_ms[$S | tostring]; .value.start_ms["1"])))
        as $scale_res
| def target($name; $value; $limit; $pass): {name: $name, value: $value, limit: $limit,
        pass: (if $value == null or $limit == null then null else $pass end)};
  def times($v; $k): if $v == null then null else $v * $k | r2 end;
  def at_most($name; $value; $limit): target($name; $value; $limit; $value <= $limit);
  # Issue #22's targets, and those of issue #8 still held.
  def targets($rt):
        [at_most("\($rt): run of /bin/true <= 0.60 x crun --systemd-cgroup's (ms)"; $ops.run[$rt].median;
                times($ops.run.crun.median; 0.6)),
         at_most("\($rt): run of /bin/true <= 1.0 x crun --cgroup-manager=cgroupfs's (ms)"; $ops.run[$rt].median;
                $ops.run["crun-fs"].median),
         at_most("\($rt): run of /bin/true <= 1.2 x its floor, bench/floor.c (ms)"; $ops.run[$rt].median;
                times($ops.floor.floor.median; 1.2)),
         at_most("\($rt): exec <= 0.70 x crun's (ms)"; $ops.exec[$rt].median; times($ops.exec.crun.median; 0.7)),
         at_most("\($rt): state <= 2 ms"; $ops.state[$rt].median; 2),
         at_most("\($rt): peak RSS of run <= 0.9 x crun's (KiB)"; $rss_kib.run[$rt]; times($rss_kib.run.crun; 0.9)),
         at_most("\($rt): peak RSS of exec <= 0.9 x crun's (KiB)"; $rss_kib.exec[$rt]; times($rss_kib.exec.crun; 0.9)),
         at_most("\($rt): start at \($S) live <= 1.3 x at 1 (ms)"; $scale_res[$rt].start_ms[$S | tostring];
                times($scale_res[$rt].start_ms["1"]; 1.3)),
         target("\($rt): list of \($S) < 50 ms"; $scale_res[$rt].list_ms[$S | tostring]; 50;
                $scale_res[$rt].list_ms[$S | tostring] < 50),
         (target("\($rt): nothing left after deleting all"; $scale_res[$rt].left; null; null)
                | .pass = $scale_res[$rt].clean)]
        | map(select(.value != null));
  {meta: $meta, ops: $ops, peak_rss_kib: $rss_kib, scale: $scale_res, failures: $failed,
   targets: (targets("runscope") + targets("runscope-nm"))}
