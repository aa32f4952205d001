# The tables bench/run.sh prints, from bench/result.json: tab-separated rows for `column -t`.
# $part: "ops" (medians and ratios, peak RSS) or "scale" (the scale run, a row per runtime).

def name: {"runscope": "runscope", "runscope-nm": "runscope --no-machine",
        "base": "runscope (base build)", "crun": "crun --systemd-cgroup", "crun-fs": "crun --cgroup-manager=cgroupfs",
        "runc": "runc --systemd-cgroup"}[.] // .;
def r2: . * 100 | round / 100;
def ratio($a; $b): if $a != null and $b != null and $b > 0 then ($a / $b | r2) else "-" end;
def row($name; $v; $crun; $crunfs; $runc): [$name, ($v // "-"), ratio($v; $crun), ratio($v; $crunfs), ratio($v; $runc)];

.meta.params.scale as $S
| .meta.runtimes as $rts
| .ops as $ops
| if $part == "scale" then
  ([1, ($S / 4 | floor), ($S / 2 | floor), $S] | map(tostring)) as $lv
  | ["scale run, ms", ($lv[] | "start@\(.)"), "@\($S)/@1", "list@\($S)", "state@\($S)", "delete -f",
        "systemd-run@1", "systemd-run@\($S)",
        "started s", "deleted s", "left"],
    (.scale | to_entries[] | .key as $rt | .value
        | [($rt | name), (.start_ms[$lv[]] // "-"), (.start_ratio_max_to_1 // "-"), (.list_ms[$lv[-1]] // "-"),
           (.state_ms[$lv[-1]] // "-"), (.delete_ms // "-"),
           (.systemd_run_ms["1"] // "-"), (.systemd_run_ms[$lv[-1]] // "-"), .ramp_s, .delete_all_s,
           (if .clean then "nothing" else "\(.left.units) units, \(.left.state) states, \(.left.machines) machines" end)])
  else
  ["command", "median ms", "/crun", "/crun-fs", "/runc"],
  (["run", "create", "start", "delete", "exec", "state"][] as $op
        | $rts[] as $rt | select($ops[$op][$rt])
        | row("\($rt | name) \($op)"; $ops[$op][$rt].median; $ops[$op].crun.median; $ops[$op]["crun-fs"].median;
                $ops[$op].runc.median)),
  ($rts[] as $rt | [$ops.create, $ops.start, $ops.delete] | map(.[$rt].median) as $m
        | select(all($m[]; . != null))
        | [$ops.create, $ops.start, $ops.delete] | map(.crun.median) as $c
        | [$ops.create, $ops.start, $ops.delete] | map(.runc.median) as $r
        | [$ops.create, $ops.start, $ops.delete] | map(.["crun-fs"].median) as $f
        | row("\($rt | name) create+start+delete"; ($m | add | r2);
                (if all($c[]; . != null) then $c | add else null end);
                (if all($f[]; . != null) then $f | add else null end);
                (if all($r[]; . != null) then $r | add else null end))),
  (.meta.floors | to_entries[] | select($ops.floor[.key])
        | ({nsenter: "exec"}[.key] // "run") as $op
        | row("floor (\($op)): \(.value)"; $ops.floor[.key].median; $ops[$op].crun.median; $ops[$op]["crun-fs"].median;
                $ops[$op].runc.median)),
  ([1, ($S / 10 | floor), $S] | unique[] as $l | $rts[] as $rt | select($ops["list@\($l)"][$rt])
        | row("\($rt | name) list, \($l) live"; $ops["list@\($l)"][$rt].median;
                $ops["list@\($l)"].crun.median; $ops["list@\($l)"]["crun-fs"].median; $ops["list@\($l)"].runc.median)),
  ["", "", "", "", ""],
  ["peak RSS", "KiB", "/crun", "/crun-fs", "/runc"],
  (.peak_rss_kib as $k | ["run", "create", "exec", "state"][] as $op | $rts[] as $rt | select($k[$op][$rt])
        | row("\($rt | name) \($op)"; $k[$op][$rt]; $k[$op].crun; $k[$op]["crun-fs"]; $k[$op].runc)),
  (.peak_rss_kib.floor // {} | to_entries[] | row("floor: \(.key)"; .value; null; null; null))
  end
| @tsv
