# ebctl bundle: file selection, .ebignore, deterministic bytes, modes, symlinks, errors.
. "$TESTS_DIR/lib.sh"

app=$TMP/app
mkdir -p "$app/.ebextensions" "$app/.platform/hooks/predeploy" "$app/src/deep" "$app/.git" \
	"$app/.elasticbeanstalk" "$app/node_modules/pkg" "$app/logs/2024"
cat >"$app/Dockerrun.aws.json" <<'J'
{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx", "essential": true, "memory": 128}]}
J
echo "option_settings: []" >"$app/.ebextensions/01-env.config"
printf '#!/bin/sh\necho predeploy\n' >"$app/.platform/hooks/predeploy/01.sh"
chmod 755 "$app/.platform/hooks/predeploy/01.sh"
echo 'int main(void) { return 0; }' >"$app/src/main.c"
echo x >"$app/src/deep/keep.txt"
echo secret >"$app/src/deep/secret.key"
ln -s src/main.c "$app/main-link"
echo ref >"$app/.git/HEAD"
echo "branch-defaults: {}" >"$app/.elasticbeanstalk/config.yml"
echo mod >"$app/node_modules/pkg/index.js"
echo old >"$app/logs/2024/a.gz"
echo l >"$app/debug.log"
echo i >"$app/important.log"
cat >"$app/.ebignore" <<'I'
# build output and dependencies
node_modules/
*.log
!important.log
logs/**/*.gz
src/**/*.key
I

entries() { # zip -> "mode name" lines, via Python's zipfile (an independent reader)
	"$PYTHON" - "$1" <<'P'
import sys, zipfile, stat
with zipfile.ZipFile(sys.argv[1]) as z:
    for i in z.infolist():
        m = i.external_attr >> 16
        kind = "l" if stat.S_ISLNK(m) else "d" if stat.S_ISDIR(m) else "f"
        extra = " -> " + z.read(i).decode() if kind == "l" else ""
        print("%s %o %s %s%s" % (kind, stat.S_IMODE(m), "%04d-%02d-%02d" % i.date_time[:3], i.filename, extra))
P
}

# Default selection: the Dockerrun and the hidden config folders only.
expect_rc 0 "bundle the default selection" "$EBCTL" bundle -C "$app" -o "$TMP/default.zip"
expect_out "$TMP/default.zip" "prints the path"
size=$(stat -c %s "$TMP/default.zip"); sum=$(sha256sum "$TMP/default.zip" | cut -d' ' -f1)
expect_eq "$(cut -f2 "$TMP/out")" "$size" "prints the size"
expect_eq "$(cut -f3 "$TMP/out")" "$sum" "prints the sha256 of the zip"
entries "$TMP/default.zip" >"$TMP/default.list"
expect_eq "$(cat "$TMP/default.list")" "d 755 1980-01-01 .ebextensions/
f 644 1980-01-01 .ebextensions/01-env.config
d 755 1980-01-01 .platform/
d 755 1980-01-01 .platform/hooks/
d 755 1980-01-01 .platform/hooks/predeploy/
f 755 1980-01-01 .platform/hooks/predeploy/01.sh
f 644 1980-01-01 Dockerrun.aws.json" "default bundle: hidden folders, executable hook, fixed dates, sorted"

# --all: every file, .ebignore honoured, .git and .elasticbeanstalk always out.
expect_rc 0 "bundle --all" "$EBCTL" bundle -C "$app" -o "$TMP/all1.zip" --all
entries "$TMP/all1.zip" | cut -d' ' -f4- >"$TMP/all.list"
expect_eq "$(cat "$TMP/all.list")" ".ebextensions/
.ebextensions/01-env.config
.ebignore
.platform/
.platform/hooks/
.platform/hooks/predeploy/
.platform/hooks/predeploy/01.sh
Dockerrun.aws.json
important.log
logs/
logs/2024/
main-link -> src/main.c
src/
src/deep/
src/deep/keep.txt
src/main.c" "--all honours .ebignore (negation, dir-only, **, anchored) and leaves out .git and .elasticbeanstalk"
entries "$TMP/all1.zip" | grep -q '^l 777 .* main-link -> src/main.c$' && ok "symlink kept as a symlink" || not_ok "symlink kept as a symlink"
if command -v unzip >/dev/null; then
	unzip -tq "$TMP/all1.zip" >/dev/null 2>&1 && ok "unzip -t accepts the bundle" || not_ok "unzip -t accepts the bundle"
fi

# Determinism: new timestamps and another umask give the same bytes.
touch -d '2030-01-01' "$app/src/main.c" "$app/Dockerrun.aws.json" "$app/.ebextensions/01-env.config"
chmod 600 "$app/src/main.c"
expect_rc 0 "bundle --all again" "$EBCTL" bundle -C "$app" -o "$TMP/all2.zip" --all
cmp -s "$TMP/all1.zip" "$TMP/all2.zip" && ok "same inputs give the same bytes" || not_ok "same inputs give the same bytes"
echo changed >>"$app/src/main.c"
expect_rc 0 "bundle --all after a change" "$EBCTL" bundle -C "$app" -o "$TMP/all3.zip" --all
cmp -s "$TMP/all1.zip" "$TMP/all3.zip" && not_ok "a change changes the bytes" || ok "a change changes the bytes"

# The output zip inside the directory is never bundled into itself.
(cd "$app" && "$EBCTL" bundle --all -o bundle.zip >/dev/null && "$EBCTL" bundle --all -o bundle.zip >"$TMP/self.out")
entries "$app/bundle.zip" | grep -q ' bundle.zip' && not_ok "output zip left out of --all" || ok "output zip left out of --all"
rm -f "$app/bundle.zip"

# v3: docker-compose.yml at the root is enough.
v3=$TMP/v3; mkdir -p "$v3"
printf 'services:\n  web:\n    image: nginx\n' >"$v3/docker-compose.yml"
expect_rc 0 "v3 bundle with docker-compose.yml" "$EBCTL" bundle -C "$v3" -o "$TMP/v3.zip"
expect_eq "$(entries "$TMP/v3.zip" | cut -d' ' -f4-)" "docker-compose.yml" "v3 bundle holds the compose file"

# Errors: no manifest, invalid Dockerrun, missing directory.
empty=$TMP/empty; mkdir -p "$empty"; echo x >"$empty/README"
expect_rc 1 "no Dockerrun is invalid input" "$EBCTL" bundle -C "$empty" -o "$TMP/none.zip"
expect_err "[bundle-root]" "no Dockerrun names the rule"
[ -e "$TMP/none.zip" ] && not_ok "no zip written without a Dockerrun" || ok "no zip written without a Dockerrun"
bad=$TMP/bad; mkdir -p "$bad"; echo '{"AWSEBDockerrunVersion": 2,' >"$bad/Dockerrun.aws.json"
expect_rc 1 "an invalid Dockerrun exits 1" "$EBCTL" bundle -C "$bad" -o "$TMP/bad.zip"
expect_err "Dockerrun.aws.json:" "the error names the file"
[ -e "$TMP/bad.zip" ] && not_ok "no zip written for an invalid Dockerrun" || ok "no zip written for an invalid Dockerrun"
sem=$TMP/sem; mkdir -p "$sem"
cat >"$sem/Dockerrun.aws.json" <<'J'
{"AWSEBDockerrunVersion": 2, "containerDefinitions": [
 {"name": "web", "image": "nginx", "essential": true, "memory": 128, "links": ["api"]}]}
J
expect_rc 1 "a Dockerrun that breaks a rule exits 1" "$EBCTL" bundle -C "$sem" -o "$TMP/sem.zip"
expect_err "Dockerrun.aws.json:2:80: error:" "the diagnostic carries the line and column of the value"
expect_err "[link-target]" "the diagnostic names the rule"
expect_err "'api'" "the diagnostic names the missing link"
[ -e "$TMP/sem.zip" ] && not_ok "no zip written for a rule error" || ok "no zip written for a rule error"
expect_rc 1 "a missing directory" "$EBCTL" bundle -C "$TMP/nosuch" -o "$TMP/x.zip"
expect_err "cannot use '$TMP/nosuch' as the bundle directory" "missing directory named"
expect_rc 2 "an operand is a usage error" "$EBCTL" bundle extra

# --all without an .ebignore takes the root .gitignore, and says so.
gi=$TMP/gi; mkdir -p "$gi"
echo '{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx:1.25", "essential": true, "memory": 128, "portMappings": [{"hostPort": 80, "containerPort": 80}]}]}' >"$gi/Dockerrun.aws.json"
printf 'build.log\n' >"$gi/.gitignore"; echo x >"$gi/build.log"; echo y >"$gi/keep.txt"
expect_rc 0 "bundle --all with only a .gitignore" "$EBCTL" bundle --all -C "$gi" -o "$TMP/gi.zip"
expect_err "no .ebignore: leaving out what '$gi/.gitignore' lists" "says which file it used"
names=$("$PYTHON" -c 'import sys, zipfile; print(" ".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))' "$TMP/gi.zip")
expect_eq "$names" ".gitignore Dockerrun.aws.json keep.txt" ".gitignore's patterns apply"
printf 'keep.txt\n' >"$gi/.ebignore"
expect_rc 0 "bundle --all with both" "$EBCTL" bundle --all -C "$gi" -o "$TMP/gi.zip"
expect_not_err ".gitignore" "an .ebignore wins and nothing is said"
names=$("$PYTHON" -c 'import sys, zipfile; print(" ".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))' "$TMP/gi.zip")
expect_eq "$names" ".ebignore .gitignore Dockerrun.aws.json build.log" "only .ebignore applies then"
finish
