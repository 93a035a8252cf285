# ebctl logs against the sandbox: the tail of every instance under its
# header, --instance, full bundles (--all) unpacked or zipped.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/operate_env.bash"

sandbox_start || { not_ok "sandbox"; finish; }
cd "$TMP" || exit 1
if make_env logapp logenv v1; then ok "environment created and Ready"; else not_ok "environment not created"; finish; fi
expect_rc 0 "logs" "$EBCTL" logs --env logenv
ids=$(sed -n 's/^==> \(i-[0-9a-f]*\) <==$/\1/p' "$TMP/out")
n=$(echo "$ids" | grep -c .)
# The sandbox runs two instances, each writing "instance ID running version LABEL".
expect_eq "$n" 2 "logs has a section per instance"
first=$(echo "$ids" | head -1)
for id in $ids; do
	section=$(awk -v h="==> $id <==" '$0 == h { on = 1; next } /^==> / { on = 0 } on' "$TMP/out")
	if grep -qF "instance $id running version v1" <<<"$section"; then ok "the section of $id holds its own text"
	else not_ok "section of $id: $(head -3 <<<"$section")"; fi
done
expect_eq "$(echo "$ids" | sort | tr '\n' ' ')" "$(echo "$ids" | tr '\n' ' ')" "instances in order of id"

expect_rc 0 "logs --instance" "$EBCTL" logs --env logenv --instance "$first"
expect_eq "$(grep -c '^==> ' "$TMP/out")" 1 "--instance keeps one section"
expect_out "==> $first <==" "--instance keeps that instance"
expect_rc 1 "logs --instance of an unknown instance" "$EBCTL" logs --env logenv --instance i-00000000nosuch
expect_err "no logs from instance 'i-00000000nosuch'" "the unknown instance is named"

expect_rc 0 "logs --all -o DIR" "$EBCTL" logs --env logenv --all -o "$TMP/bundles"
for id in $ids; do
	if [ -d "$TMP/bundles/$id" ] && [ -n "$(find "$TMP/bundles/$id" -type f | head -1)" ]; then
		ok "--all unpacked the bundle of $id"
	else
		not_ok "--all: nothing in $TMP/bundles/$id"
	fi
	expect_out "$TMP/bundles/$id/" "--all prints where $id went"
done
expect_eq "$(find "$TMP/bundles" -name '*.zip' | wc -l)" 0 "--all leaves no zip behind"

expect_rc 0 "logs --zip -o DIR" "$EBCTL" logs --env logenv --zip -o "$TMP/zips"
for id in $ids; do
	if unzip -tq "$TMP/zips/$id.zip" >/dev/null 2>&1; then ok "--zip kept a valid zip for $id"; else not_ok "--zip: no zip for $id"; fi
done

mkdir -p "$TMP/proj" && cd "$TMP/proj" || exit 1
expect_rc 0 "logs --all with the default directory" "$EBCTL" logs --env logenv --all
if [ -n "$(find .elasticbeanstalk/logs -mindepth 2 -maxdepth 2 -type d -name "$first" 2>/dev/null)" ]; then
	ok "--all saves under .elasticbeanstalk/logs/<time>/"
else
	not_ok "--all default directory: $(find . | head)"
fi
"$EBCTL" logs --env logenv | head -1 >"$TMP/head.out"
expect_eq "${PIPESTATUS[0]}" 0 "logs | head -1 exits 0"
finish
