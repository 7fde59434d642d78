#!/usr/bin/env bash
# Build the inspector's generated (gitignored) files:
#   www/vendor/<package>/  the drf-sso-jwt npm package, installed from the tarball that
#                          pkg/build.sh packs (npm install into a scratch dir, then copied)
#   www/vendor/sso.js      a tiny ES module re-exporting the package's API, initialised
#   www/examples/examples.js  the test settings and PUBLIC keys from keys/, plus one
#                          TEST ONLY private key for the mint panel's example
# Usage: www/build.sh            (runs pkg/build.sh first when the tarball is missing or stale)
# Env:   DRF_SSO_JWT_TARBALL=path  use this tarball as is
#        REBUILD_PKG=1             always run pkg/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WWW="$ROOT/www"
SCRATCH="$ROOT/target/www-build"

die() { echo "www/build.sh: $*" >&2; exit 1; }
command -v node >/dev/null || die "node is required"
command -v npm >/dev/null || die "npm is required"

# pkg/build.sh packs into target/npm/ (and prints the path on its last stdout line)
newest_tarball() { ls -t "$ROOT"/target/npm/drf-sso-jwt-*.tgz "$ROOT"/pkg/*.tgz 2>/dev/null | head -1 || true; }

TARBALL="${DRF_SSO_JWT_TARBALL:-}"
if [ -z "$TARBALL" ]; then
    TARBALL=$(newest_tarball)
    stale=""
    if [ -n "$TARBALL" ]; then
        # sources newer than the tarball: rebuild it
        stale=$(find "$ROOT/src" "$ROOT/wasm" "$ROOT/Cargo.toml" "$ROOT/pkg" -newer "$TARBALL" -type f \
                    -not -path "$ROOT/pkg/dist/*" -not -path "$ROOT/pkg/node_modules/*" -not -name '*.tgz' \
                    -not -name '*.md' 2>/dev/null | head -1 || true)
    fi
    if [ -z "$TARBALL" ] || [ -n "$stale" ] || [ "${REBUILD_PKG:-0}" = 1 ]; then
        [ -f "$ROOT/pkg/build.sh" ] || die "no package tarball and no pkg/build.sh to make one"
        echo "www/build.sh: building the package (pkg/build.sh)${stale:+; newer than the tarball: ${stale#$ROOT/}}"
        TARBALL=$(bash "$ROOT/pkg/build.sh" | tail -n 1) || die "pkg/build.sh failed"
        [ -f "$TARBALL" ] || TARBALL=$(newest_tarball)
        [ -n "$TARBALL" ] || die "pkg/build.sh made no tarball"
    fi
fi
[ -f "$TARBALL" ] || die "tarball not found: $TARBALL"
echo "www/build.sh: installing ${TARBALL#$ROOT/}"

# --- install the tarball into a scratch project, exactly as a user would ---------------------
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
echo '{"name":"www-build","private":true}' > "$SCRATCH/package.json"
(cd "$SCRATCH" && npm install --no-audit --no-fund --no-save --ignore-scripts "$TARBALL" >/dev/null) \
    || die "npm install of the tarball failed"
NAME=$(tar -xOzf "$TARBALL" package/package.json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).name))')
INSTALLED="$SCRATCH/node_modules/$NAME"
[ -d "$INSTALLED" ] || die "package $NAME not found in $SCRATCH/node_modules"

rm -rf "$WWW/vendor"
mkdir -p "$WWW/vendor/$NAME"
cp -R "$INSTALLED/." "$WWW/vendor/$NAME/"

# --- vendor/sso.js: the browser entry points of the package, re-exported ------------------------
node "$ROOT/www/tools/make-shim.mjs" "$WWW/vendor/$NAME" "$NAME" > "$WWW/vendor/sso.js" \
    || die "cannot work out the package's browser entry (see www/tools/make-shim.mjs)"

# --- examples: settings + public keys (+ the TEST ONLY private key of the mint example) -----
mkdir -p "$WWW/examples"
node "$ROOT/www/tools/make-examples.mjs" "$ROOT/keys" > "$WWW/examples/examples.js" \
    || die "cannot build the examples from keys/"

echo "www/build.sh: done: www/vendor/$NAME, www/vendor/sso.js, www/examples/examples.js"
echo "serve with:  python3 -m http.server --bind 127.0.0.1 8000 --directory www"
