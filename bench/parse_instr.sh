#!/bin/sh
# Instructions per parse_feed under callgrind: (run with N feeds − run with 0) / N.
#   bench/parse_instr.sh bench 50     bench/parse_instr.sh real 60
set -e
kind=$1; n=$2
py="$(dirname "$0")/../.venv/bin/python"
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$py" "$(dirname "$0")/parse_cpu.py" \
        "$kind" "$1" --once 2>&1 | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
zero=$(count 0); full=$(count "$n")
echo "$kind: $(( (full - zero) / n )) instructions per parse_feed ($n feeds; setup $zero)"
