#!/bin/sh
# The list of lazy libraries and the code agree: every function of those
# libraries that an object of the archive calls is defined by its dynload.o
# (a forwarder of src/util/dynload.list, or one of the few by hand), so a
# new call cannot link to nothing. Each library's exports are read from the
# first of its sonames the loader finds on this machine.
#   mk/check-dynload.sh src/util/dynload.list build/libebctl.a
# Prints each call without a forwarder and exits 1 when there is one.
set -eu
export LC_ALL=C # sort and join in the same order
list=${1:?usage: check-dynload.sh LIST ARCHIVE}
archive=${2:?usage: check-dynload.sh LIST ARCHIVE}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-dynload.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
"$ldconfig" -p >"$tmp/cache"

# exports: "SYMBOL SONAME" for every function each library defines
awk '$1 == "lib" { for (i = 4; i <= NF; i++) printf "%s%s", $i, (i < NF ? " " : "\n") }' "$list" >"$tmp/libs"
while read -r sonames; do
	file=
	for so in $sonames; do
		file=$(awk -v so="$so" '$1 == so && /x86-64|x86_64|=>/ {print $NF; exit}' "$tmp/cache")
		[ -z "$file" ] || break
	done
	[ -n "$file" ] || { echo "check-dynload: none of $sonames is installed" >&2; exit 1; }
	nm -D --defined-only "$file" | awk -v so="${sonames%% *}" '$2 ~ /^[TtWi]$/ { sub(/@.*/, "", $3); print $3, so }'
done <"$tmp/libs" >"$tmp/exports.all"
sort -u "$tmp/exports.all" >"$tmp/exports"

# calls: "SYMBOL MEMBER" for every undefined symbol of every member but dynload.o
nm -A -u "$archive" | awk -F: '$2 != "dynload.o" { n = split($NF, f, " "); print f[n], $2 }' |
	sort -u >"$tmp/calls"
nm -A --defined-only "$archive" | awk -F: '$2 == "dynload.o" { n = split($NF, f, " "); if (f[n-1] == "T") print f[n] }' |
	sort -u >"$tmp/forwarded"

# a call into a lazy library with no forwarder
join "$tmp/calls" "$tmp/exports" | join -v 1 - "$tmp/forwarded" >"$tmp/missing"
if [ -s "$tmp/missing" ]; then
	awk '{ printf "check-dynload: %s calls %s of %s, which %s does not forward\n", $2, $1, $3, list }' \
		list="$list" "$tmp/missing" >&2
	exit 1
fi
echo "check-dynload: $(join "$tmp/calls" "$tmp/exports" | cut -d' ' -f1 | sort -u | wc -l) functions called, all forwarded"
