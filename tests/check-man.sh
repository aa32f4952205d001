#!/bin/sh
# Every man page renders without warnings (groff's -ww, as `man -l` would show them).
cd "$(dirname "$0")/../man" || exit 1
n=0 fail=0
pages=$(ls *.[0-9])
echo "1..$(echo "$pages" | wc -l)"
for p in $pages; do
        n=$((n + 1))
        w=$(groff -man -Tutf8 -ww -z "$p" 2>&1)
        if [ -z "$w" ]; then echo "ok $n - $p renders cleanly"; else echo "$w" | sed 's/^/# /'; echo "not ok $n - $p"; fail=1; fi
done
exit $fail
