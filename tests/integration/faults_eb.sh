# The fault matrix at the Elastic Beanstalk steps of a deploy: creating the
# version, updating the environment, reading its events
# (tests/integration/faults.bash).
. "$TESTS_DIR/integration/faults.bash"

matrix eb CreateApplicationVersion UpdateEnvironment DescribeEvents

# Credentials that expire mid-deployment: they live two seconds, the
# deployment (a multipart upload, then an update the sandbox takes three
# seconds over) much longer. ebctl renews them before they expire: the
# proxy refuses no request for an expired token, and serves credentials
# more than once.
long=$TMP/long
mkdir -p "$long"
cp "$big/blob.bin" "$long/"
sed 's/nginx:1.25/example\/web:slow/' "$small/Dockerrun.aws.json" >"$long/Dockerrun.aws.json"
desc="credentials that expire mid-deployment"
creds_lifetime 2
control POST '{}' >/dev/null
run temporary deploy "$long" expiring
seen=$(control GET)
served=$(echo "$seen" | sed -n 's/.*"creds_served": *\([0-9]*\).*/\1/p')
refused=$(echo "$seen" | sed -n 's/.*"expired_refused": *\([0-9]*\).*/\1/p')
creds_lifetime 3600
[ "$rc" -eq 0 ] && msg=deployed || msg=$(tail -1 "$TMP/err")
printf '%s\t%s\t%s\t%s\t%s\n' "every step (credentials living 2 s)" expiry -1 "$rc" "$msg" >>"$results"
if [ "$rc" -eq 0 ]; then ok "$desc: exit 0"
else not_ok "$desc: exit $rc"; sed 's/^/#   err: /' "$TMP/err" | tail -6; fi
expect_eq "${refused:-none}" 0 "$desc: no request went out with expired credentials"
if [ "${served:-0}" -ge 2 ]; then ok "$desc: renewed ($served credentials served)"
else not_ok "$desc: credentials served $served times: never renewed"; fi
invariants "$desc"
finish
