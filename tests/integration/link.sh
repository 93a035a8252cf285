# ebctl link against the sandbox: properties from the real endpoints in one
# update, the password as a reference, and --authorize adding exactly the
# one missing rule (and none on a second run).
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/operate_env.bash"
. "$TESTS_DIR/integration/data_setup.bash"

sandbox_start --deploy-seconds 0.2 || { not_ok "sandbox"; finish; }
cd "$TMP" || exit 1
if data_setup lapp lenv; then ok "data setup"; else not_ok "data setup"; finish; fi
ARN=arn:aws:secretsmanager:us-east-1:123456789012:secret:app-db-AbCdEf

rules() { awsx ec2 describe-security-groups --group-ids "$DATA_SG" \
	--query 'length(SecurityGroups[0].IpPermissions)' --output text; }

# the database's port closed: the rule covers only the cache's
awsx ec2 revoke-security-group-ingress --group-id "$DATA_SG" --ip-permissions \
	"IpProtocol=tcp,FromPort=5432,ToPort=6379,UserIdGroupPairs=[{GroupId=$DATA_SG}]" >/dev/null
awsx ec2 authorize-security-group-ingress --group-id "$DATA_SG" --ip-permissions \
	"IpProtocol=tcp,FromPort=6379,ToPort=6379,UserIdGroupPairs=[{GroupId=$DATA_SG}]" >/dev/null

expect_rc 0 "link without --authorize" "$EBCTL" link --env lenv --rds appdb --redis appcache \
	--secret-arn "$ARN" --timeout 60s </dev/null
expect_out "aws ec2 authorize-security-group-ingress --group-id $DATA_SG --protocol tcp --port 5432 --source-group $DATA_SG" \
	"without --authorize it prints the exact aws CLI command"
expect_eq "$(rules)" 1 "without --authorize no rule is added"
expect_err "PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, REDIS_HOST, REDIS_PORT" "one update sets every property"
expect_rc 0 "printenv after link" "$EBCTL" printenv --env lenv --reveal
expect_out "PGHOST=appdb.aaaaaaaaaa.us-east-1.rds.amazonaws.com" "PGHOST is the instance's endpoint"
expect_out "PGPORT=5432" "PGPORT is its port"
expect_out "PGDATABASE=app" "PGDATABASE is its database"
expect_out "PGUSER=app" "PGUSER is its master user"
expect_out "REDIS_PORT=6379" "REDIS_PORT is the cache's port"
expect_out ".0001.use1.cache.amazonaws.com" "REDIS_HOST is the cache node's endpoint"
expect_not_out "not-a-real-secret" "the master password is nowhere"
opt=$(awsx elasticbeanstalk describe-configuration-settings --application-name lapp --environment-name lenv \
	--query "ConfigurationSettings[0].OptionSettings[?Namespace=='aws:elasticbeanstalk:application:environmentsecrets'&&OptionName=='PGPASSWORD'].Value" --output text)
expect_eq "$opt" "$ARN" "PGPASSWORD is a reference in the environmentsecrets namespace"

expect_rc 0 "printenv lists the reference" "$EBCTL" printenv --env lenv PGPASSWORD
expect_eq "$(cat "$TMP/out")" "PGPASSWORD=(secret $ARN)" "printenv shows where the secret comes from"
expect_rc 2 "setenv --secret with a value that is no ARN" "$EBCTL" setenv --env lenv --secret API_TOKEN=hunter2
expect_not_err "hunter2" "the value is not echoed back"
expect_rc 0 "setenv --secret" "$EBCTL" setenv --env lenv --timeout 60s \
	--secret API_TOKEN=arn:aws:ssm:us-east-1:123456789012:parameter/app/token
expect_rc 0 "printenv --format json" "$EBCTL" printenv --env lenv --format json
expect_eq "$(json_get API_TOKEN <"$TMP/out")" "(secret arn:aws:ssm:us-east-1:123456789012:parameter/app/token)" "the reference is in the JSON"
expect_rc 0 "setenv --secret KEY= removes it" "$EBCTL" setenv --env lenv --timeout 60s --secret API_TOKEN=
expect_rc 1 "printenv of the removed reference" "$EBCTL" printenv --env lenv API_TOKEN

expect_rc 0 "link --authorize" "$EBCTL" link --env lenv --rds appdb --redis appcache --secret-arn "$ARN" --authorize --timeout 60s
expect_err "adding rule: $DATA_SG allows tcp port 5432 from $DATA_SG" "the rule is printed first"
expect_err "1 security-group rule added" "exactly one rule is added"
expect_eq "$(rules)" 2 "the group has one more permission"
port=$(awsx ec2 describe-security-groups --group-ids "$DATA_SG" \
	--query 'SecurityGroups[0].IpPermissions[?FromPort==`5432`].[FromPort,ToPort]' --output text)
expect_eq "$port" "5432	5432" "the new rule is on the database's port only"
expect_err "already set from the endpoints" "a second update is not sent"

expect_rc 0 "link --authorize again" "$EBCTL" link --env lenv --rds appdb --redis appcache --secret-arn "$ARN" --authorize --timeout 60s
expect_err "0 security-group rules added" "a second run adds none"
expect_eq "$(rules)" 2 "the group is unchanged"
expect_rc 0 "doctor after link --authorize" "$EBCTL" doctor --env lenv

expect_rc 1 "link to a database that does not exist" "$EBCTL" link --env lenv --rds nosuchdb
expect_err "no RDS instance or cluster 'nosuchdb'" "the missing database is named"
expect_rc 2 "link without --rds or --redis" "$EBCTL" link --env lenv
expect_rc 2 "link --secret-arn that is no ARN" "$EBCTL" link --env lenv --rds appdb --secret-arn hunter2
expect_not_err "hunter2" "the bad value is not echoed"
finish
