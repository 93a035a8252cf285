# Versions never share an S3 object: deleting one version with its bundle
# leaves the others deployable; a version whose object is gone is restored
# from the same bundle or refused; two jobs deploying one label at once
# both succeed when the bundle is the same.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
deploy_setup "--deploy-seconds 0.3" shop shop-staging shop-prod
sum=$(cd "$app" && "$EBCTL" bundle -o "$TMP/check.zip" | cut -f3)
key() { eb_aws elasticbeanstalk describe-application-versions --application-name shop \
	--version-labels "$1" --query 'ApplicationVersions[0].SourceBundle.S3Key'; }

expect_rc 0 "deploy a" "$EBCTL" deploy --app shop --env shop-prod --bucket rel -C "$app" --label a --timeout 2m
expect_rc 0 "deploy b, the same bundle" "$EBCTL" deploy --app shop --env shop-prod --bucket rel -C "$app" \
	--label b --timeout 2m
expect_err "already holds this bundle" "b uploads nothing"
expect_eq "$(key a)" "shop/versions/a/$sum.zip" "version a has its own object"
expect_eq "$(key b)" "shop/versions/b/$sum.zip" "version b has its own object"

# The console's "delete source bundle" on a: b keeps its bundle.
eb_aws elasticbeanstalk delete-application-version --application-name shop --version-label a \
	--delete-source-bundle >/dev/null
expect_eq "$(eb_aws s3api head-object --bucket rel --key "$(key b)" --query ContentLength)" \
	"$(stat -c %s "$TMP/check.zip")" "deleting a with its bundle leaves b's object"
expect_rc 0 "b deploys again after a was deleted with its bundle" "$EBCTL" deploy --app shop \
	--env shop-staging --version b --timeout 2m

# b's object deleted by hand: --version refuses it; a deploy of the same tree restores it.
eb_aws s3api delete-object --bucket rel --key "shop/versions/b/$sum.zip" >/dev/null
expect_rc 1 "--version of a version whose bundle is gone" "$EBCTL" deploy --app shop --env shop-prod \
	--version b --timeout 2m
expect_err "s3://rel/shop/versions/b/$sum.zip, which no longer exists" "says which object is gone"
expect_rc 0 "the same label from the same tree" "$EBCTL" deploy --app shop --env shop-prod --bucket rel \
	-C "$app" --label b --timeout 2m
expect_err "is gone" "warns that the bundle was missing"
expect_err "restoring it from this bundle" "and that it restores it"
expect_eq "$(eb_aws s3api head-object --bucket rel --key "shop/versions/b/$sum.zip" --query ContentLength)" \
	"$(stat -c %s "$TMP/check.zip")" "the object is back"
expect_eq "$(env_field shop-prod VersionLabel)" "b" "and the environment runs b"

# One commit to staging and production at once (a CI matrix): one label, one bundle.
for n in 1 2 3; do
	echo "change $n" >"$app/changed.txt"
	"$EBCTL" deploy --app shop --env shop-staging --bucket rel -C "$app" --all --label "m$n" \
		--timeout 2m >"$TMP/o1" 2>"$TMP/e1" &
	p1=$!
	"$EBCTL" deploy --app shop --env shop-prod --bucket rel -C "$app" --all --label "m$n" \
		--timeout 2m >"$TMP/o2" 2>"$TMP/e2" &
	p2=$!
	wait $p1; r1=$?; wait $p2; r2=$?
	expect_eq "$r1 $r2" "0 0" "round $n: both deploys of label m$n succeed"
	[ "$r1 $r2" = "0 0" ] || cat "$TMP/e1" "$TMP/e2" >&2
done
expect_eq "$(env_field shop-staging VersionLabel) $(env_field shop-prod VersionLabel)" "m3 m3" \
	"both environments run the label"

# The same label with two different bundles at once: one wins, the other
# exits 1 naming both bundles (never a raw exit 3).
make_app "$TMP/other" 9.9
"$EBCTL" deploy --app shop --env shop-staging --bucket rel -C "$app" --all --label clash \
	--timeout 2m >"$TMP/o1" 2>"$TMP/e1" &
p1=$!
"$EBCTL" deploy --app shop --env shop-prod --bucket rel -C "$TMP/other" --label clash \
	--timeout 2m >"$TMP/o2" 2>"$TMP/e2" &
p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
expect_eq "$(printf '%s\n' "$r1" "$r2" | sort | tr '\n' ' ')" "0 1 " "one deploy of the clash wins, the other exits 1"
if [ "$r1" = 1 ]; then loser=$TMP/e1; else loser=$TMP/e2; fi
grep -qF "version 'clash' of 'shop' already exists with another bundle" "$loser" &&
	ok "the loser names the existing version's bundle" || { not_ok "the loser names the existing version's bundle"; cat "$loser" >&2; }
finish
