# Bundling and symbolic links: a file swapped for a link between the walk
# and the write (tests/cli/swap_shim.c, preloaded, makes the swap at the
# worst moment), a symlinked Dockerrun.aws.json or .ebextensions (stored as
# what they point to), and links that point outside the directory.
. "$TESTS_DIR/lib.sh"

cd "$TMP" || exit 1
# zipinfo ZIP NAME: "link", "file", "dir" or "missing", and the bytes of a file.
zipkind() {
	"$PYTHON" - "$@" <<'PY'
import stat, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
n = sys.argv[2]
try:
    i = z.getinfo(n)
except KeyError:
    try:
        i = z.getinfo(n + "/")
    except KeyError:
        print("missing"); sys.exit()
m = i.external_attr >> 16
print("link" if stat.S_ISLNK(m) else "dir" if stat.S_ISDIR(m) else "file:" + z.read(i).decode(errors="replace"))
PY
}
manifest='{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx:1.25", "essential": true, "memory": 128, "portMappings": [{"hostPort": 80, "containerPort": 80}]}]}'

# ---- a file swapped for a link while the bundle is written
cc -shared -fPIC -o "$TMP/swap.so" "$TESTS_DIR/cli/swap_shim.c" -ldl || { not_ok "build the shim"; finish; }
mkdir -p app && echo "$manifest" >app/Dockerrun.aws.json && echo public >app/data.txt
echo "SECRET" >"$TMP/secret" # as long as data.txt: a size check alone would not see it
expect_rc 1 "a file swapped for a link during bundling" env ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
	LD_PRELOAD="$TMP/swap.so" SWAP_PATH="$TMP/app/data.txt" SWAP_TARGET="$TMP/secret" \
	"$EBCTL" bundle --all -C "$TMP/app" -o "$TMP/swapped.zip"
expect_err "'$TMP/app/data.txt' changed while the bundle was written" "names the file that changed"
if [ -f "$TMP/swapped.zip" ] && grep -q "SECRET" <(unzip -p "$TMP/swapped.zip" 2>/dev/null); then
	not_ok "the link's target went into the bundle"
else ok "the link's target is not in any bundle"; fi

# ---- a symlinked Dockerrun.aws.json and .ebextensions: stored as what they point to
mkdir -p real/ext linked && echo "$manifest" >real/Dockerrun.aws.json && echo 'option_settings: []' >real/ext/a.config
ln -s ../real/Dockerrun.aws.json linked/Dockerrun.aws.json
ln -s ../real/ext linked/.ebextensions
expect_rc 0 "bundle with a symlinked Dockerrun.aws.json and .ebextensions" "$EBCTL" bundle -C linked -o "$TMP/linked.zip"
expect_eq "$(zipkind "$TMP/linked.zip" Dockerrun.aws.json | cut -c1-5)" "file:" "Dockerrun.aws.json is stored as the file"
expect_eq "$(zipkind "$TMP/linked.zip" .ebextensions)" "dir" ".ebextensions is stored as a directory"
expect_eq "$(zipkind "$TMP/linked.zip" .ebextensions/a.config)" "file:option_settings: []" "with the files it points to"
mkdir -p dangling && ln -s nowhere.json dangling/Dockerrun.aws.json
expect_rc 1 "a Dockerrun.aws.json that links to nothing" "$EBCTL" bundle -C dangling -o "$TMP/d.zip"
expect_err "is a symbolic link to nothing" "says the link is dangling"

# ---- links that point outside the directory are pointed out (and still stored as links)
mkdir -p outside && echo "$manifest" >outside/Dockerrun.aws.json && ln -s /etc/hostname outside/abs && ln -s ../../x outside/up && ln -s sub/../ok outside/inside
expect_rc 0 "bundle --all with links outside" "$EBCTL" bundle --all -C outside -o "$TMP/outside.zip"
expect_err "'abs' is a link to '/etc/hostname', outside the directory" "an absolute link is pointed out"
expect_err "'up' is a link to '../../x', outside the directory" "a link climbing out is pointed out"
expect_not_err "'inside'" "a link inside is not"
expect_eq "$(zipkind "$TMP/outside.zip" abs)" "link" "the link is stored as a link"
finish
