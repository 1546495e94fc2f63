#!/usr/bin/env bash
# scripts/setup-native.sh — `npm run setup:native`
#
# Makes the native TensorFlow backend (@tensorflow/tfjs-node) work offline.
#
# tfjs-node's own install script downloads libtensorflow (and a prebuilt addon)
# from Google storage, which fails without internet. Instead this script:
#   1. installs the tfjs-node package files with `npm install --ignore-scripts`
#      (package.json and package-lock.json are left untouched),
#   2. takes the TensorFlow C library (libtensorflow_cc.so.2 +
#      libtensorflow_framework.so.2 + the C API headers) out of a TensorFlow CPU
#      pip wheel — or out of a libtensorflow tarball/folder you name,
#   3. compiles the addon from source (node-pre-gyp/node-gyp, no network) in a
#      staging copy of the package, checks it, and only then moves it into
#      node_modules/@tensorflow/tfjs-node.
#   4. compiles the project's fused kernels (native/attend-caption-ops.cc, a
#      small Node addon adding TensorFlow ops through TensorFlow's C API) into
#      node_modules/.attend-caption-native/ and checks them; optional: if that
#      fails, the app runs the same math as stock TensorFlow ops.
# If anything fails, tfjs-node is removed again (or the previously working
# build is put back), so the runtime backend selection falls back cleanly.
#
# Linux only (that is what binding.gyp's rpath-based layout supports).

set -euo pipefail

HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"

# ---------------------------------------------------------------------------
# Settings (flags override environment variables)
# ---------------------------------------------------------------------------
DEFAULT_TF_VERSION=2.21.0
TF_VERSION="${TFJS_NATIVE_TF_VERSION:-$DEFAULT_TF_VERSION}"
PIP_PACKAGE="${TFJS_NATIVE_PIP_PACKAGE:-tensorflow-cpu}"
CACHE_DIR="${TFJS_NATIVE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/attend-caption/native}"
ENV_WHEEL="${TFJS_NATIVE_WHEEL:-}"
ENV_LIBTF="${TFJS_NATIVE_LIBTENSORFLOW:-}"
CLI_WHEEL=""
CLI_LIBTF=""
FORCE=0

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
PKG_NAME="@tensorflow/tfjs-node"
SCOPE_DIR="$PROJECT_ROOT/node_modules/@tensorflow"
PKG_DIR="$SCOPE_DIR/tfjs-node"

usage() {
  cat <<EOF
Usage: npm run setup:native -- [options]
       bash scripts/setup-native.sh [options]

Builds the native TensorFlow backend ($PKG_NAME) from source, offline,
against the TensorFlow C library shipped inside a TensorFlow pip wheel.

Options:
  --wheel PATH           use this tensorflow / tensorflow-cpu wheel (.whl)
  --libtensorflow PATH   use a libtensorflow .tar.gz, or a folder with lib/ and
                         include/ (an installed site-packages/tensorflow folder
                         works too)
  --tf-version VERSION   TensorFlow version to download with pip when no wheel
                         or library is given (default: $DEFAULT_TF_VERSION)
  --force                rebuild even if $PKG_NAME already works
  -h, --help             show this help

Environment:
  TFJS_NATIVE_WHEEL            same as --wheel
  TFJS_NATIVE_LIBTENSORFLOW    same as --libtensorflow
  TFJS_NATIVE_TF_VERSION       same as --tf-version
  TFJS_NATIVE_PIP_PACKAGE      pip package to download (default: tensorflow-cpu)
  TFJS_NATIVE_CACHE_DIR        wheel cache (default:
                               \${XDG_CACHE_HOME:-\$HOME/.cache}/attend-caption/native)

Without --wheel/--libtensorflow the script uses a wheel cached in the cache
dir, or else runs \`pip download --no-deps $PIP_PACKAGE==VERSION\` into it.
Re-run this after \`npm ci\` (which removes the native build).
EOF
}

log() { printf '[setup:native +%ss] %s\n' "$SECONDS" "$*"; }
warn() { printf '[setup:native] warning: %s\n' "$*" >&2; }
die() {
  printf '[setup:native] error: %s\n' "$*" >&2
  exit 1
}

no_lib_message() {
  cat <<EOF
no TensorFlow C library found: $1
  pass --wheel path/to/tensorflow_cpu-*.whl
    or --libtensorflow path/to/libtensorflow.tar.gz (or an extracted folder),
    or make \`pip download --no-deps $PIP_PACKAGE==$TF_VERSION\` work
    (any TensorFlow CPU wheel for Linux works; see --help).
EOF
}

# wheel_tool check WHEEL | wheel_tool extract WHEEL LIB_DIR SCRATCH_DIR
# A wheel is a zip: check that it holds the C library, or extract the two .so
# files into LIB_DIR and tensorflow/include/ into SCRATCH_DIR (python3's
# zipfile: no unzip needed, and it is faster than unzip on these big members).
wheel_tool() {
  python3 - "$@" <<'PY'
import os, shutil, sys, zipfile
mode, wheel = sys.argv[1:3]
libs = ["tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"]
try:
    z = zipfile.ZipFile(wheel)
except (OSError, zipfile.BadZipFile) as e:
    sys.exit(f"{wheel} is not a readable wheel (zip): {e}")
with z:
    names = set(z.namelist())
    absent = [n for n in libs + ["tensorflow/include/tensorflow/c/c_api.h"] if n not in names]
    if absent:
        sys.exit(f"{wheel} does not contain {', '.join(absent)} "
                 "(is it a TensorFlow 2.x wheel for Linux?)")
    if mode == "extract":
        lib_dir, scratch = sys.argv[3:5]
        for name in libs:
            with z.open(name) as src, \
                    open(os.path.join(lib_dir, os.path.basename(name)), "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        for info in z.infolist():
            if info.filename.startswith("tensorflow/include/") and not info.is_dir():
                z.extract(info, scratch)
PY
}

# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------
need_value() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --wheel) need_value "$@"; CLI_WHEEL="$2"; shift 2 ;;
    --wheel=*) CLI_WHEEL="${1#*=}"; shift ;;
    --libtensorflow) need_value "$@"; CLI_LIBTF="$2"; shift 2 ;;
    --libtensorflow=*) CLI_LIBTF="${1#*=}"; shift ;;
    --tf-version) need_value "$@"; TF_VERSION="$2"; shift 2 ;;
    --tf-version=*) TF_VERSION="${1#*=}"; shift ;;
    --force) FORCE=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

# A flag wins over the environment; two sources at the same level is an error.
if [[ -n $CLI_WHEEL || -n $CLI_LIBTF ]]; then
  [[ -n $CLI_WHEEL && -n $CLI_LIBTF ]] && die "pass either --wheel or --libtensorflow, not both"
  WHEEL="$CLI_WHEEL" LIBTF="$CLI_LIBTF"
else
  [[ -n $ENV_WHEEL && -n $ENV_LIBTF ]] &&
    die "TFJS_NATIVE_WHEEL and TFJS_NATIVE_LIBTENSORFLOW are both set; unset one"
  WHEEL="$ENV_WHEEL" LIBTF="$ENV_LIBTF"
fi

cd "$PROJECT_ROOT"
SECONDS=0

# ---------------------------------------------------------------------------
# Probe: require tfjs-node in a clean environment (no LD_LIBRARY_PATH), check
# the backend is 'tensorflow', run a matMul, print the versions.
# $1 = what to require (package name, or the absolute path of a staged copy).
# ---------------------------------------------------------------------------
PROBE_JS='
const tf = require(process.argv[1]);
(async () => {
  await tf.ready();
  if (tf.getBackend() !== "tensorflow") throw new Error("active backend is " + tf.getBackend());
  const c = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]));
  const got = Array.from(c.dataSync()).join(",");
  if (got !== "19,22,43,50") throw new Error("matMul gave " + got);
  console.log("tfjs-node " + tf.version["tfjs-node"] + ", TensorFlow C library " +
    tf.backend().binding.TF_Version + ", backend tensorflow, matMul ok");
})().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
'
probe() {
  env -i HOME="$HOME" PATH="$PATH" TF_CPP_MIN_LOG_LEVEL=2 \
    node --input-type=commonjs -e "$PROBE_JS" "$1"
}

# ---------------------------------------------------------------------------
# Cleanup: runs on every exit. On failure it leaves node_modules either with
# the previously working tfjs-node (only possible with --force) or without it.
# ---------------------------------------------------------------------------
ARMED=0          # set once we start changing node_modules
PRIOR_WORKING=0  # tfjs-node worked before we started (--force)
WORK=""          # scratch dir (headers, logs, tarball extraction)
STAGE=""         # staging copy of the package, inside node_modules/@tensorflow
BACKUP=""        # previous working package while swapping
MANIFEST_BACKUP=""  # copies of package.json / package-lock.json during npm
DL_DIR=""        # pip download in progress (inside the cache dir)

restore_manifests() {
  local f
  [[ -n $MANIFEST_BACKUP ]] || return 0
  for f in package.json package-lock.json; do
    if [[ -f $MANIFEST_BACKUP/$f ]] && ! cmp -s "$MANIFEST_BACKUP/$f" "$PROJECT_ROOT/$f"; then
      cp "$MANIFEST_BACKUP/$f" "$PROJECT_ROOT/$f"
      warn "npm modified $f; restored it"
    fi
  done
  MANIFEST_BACKUP=""
}

cleanup() {
  local rc=$?
  set +e
  restore_manifests
  [[ -n $STAGE ]] && rm -rf "$STAGE"
  if ((rc != 0 && ARMED)); then
    if [[ -n $BACKUP && -d $BACKUP ]]; then
      rm -rf "$PKG_DIR" && mv "$BACKUP" "$PKG_DIR" &&
        log "restored the previously working $PKG_NAME"
    elif ((PRIOR_WORKING)); then
      log "left the previously working $PKG_NAME in place"
    elif [[ -e $PKG_DIR ]]; then
      rm -rf "$PKG_DIR"
      log "removed the incomplete $PKG_NAME; the app will use its fallback backend"
    fi
  fi
  [[ -n $BACKUP && -d $BACKUP ]] && rm -rf "$BACKUP"
  [[ -n $WORK ]] && rm -rf "$WORK"
  [[ -n $DL_DIR ]] && rm -rf "$DL_DIR"
  if ((rc != 0)); then
    printf '[setup:native] FAILED after %ss (exit %s)\n' "$SECONDS" "$rc" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# 0. Basic checks and the idempotency short-cut
# ---------------------------------------------------------------------------
[[ $(uname -s) == Linux ]] || die "only Linux is supported (found $(uname -s))"
command -v node >/dev/null || die "node not found on PATH"
command -v npm >/dev/null || die "npm not found on PATH"
[[ -d $SCOPE_DIR/tfjs ]] || die "node_modules is not installed: run \`npm ci\` first, then this script"

# Serialise concurrent runs (they would fight over node_modules/@tensorflow).
if command -v flock >/dev/null; then
  exec 9>"$PROJECT_ROOT/node_modules/.setup-native.lock"
  flock -n 9 || die "another setup:native run is in progress"
fi

# ---------------------------------------------------------------------------
# The project's two Node addons (native/binding.gyp), built with node-gyp against Node's own headers
# (offline) after tfjs-node is in place; both optional: without them the app runs the same math.
# - attend-caption-ops: fused TensorFlow kernels through TensorFlow's C API, linked against tfjs-node's
#   deps/lib;
# - quiet-stderr: silences libtensorflow's start-up log lines on fd 2 while it loads.
# The build runs in a scratch copy of native/ (node-gyp writes build/ beside binding.gyp), each addon
# is checked, then moved into node_modules/.attend-caption-native/.
# ---------------------------------------------------------------------------
OPS_DIR="$PROJECT_ROOT/node_modules/.attend-caption-native"
OPS_OUT="$OPS_DIR/attend-caption-ops.node"
QUIET_OUT="$OPS_DIR/quiet-stderr.node"
OPS_PROBE_JS='
const tf = require(process.argv[1]);
require(process.argv[2]);
const be = tf.backend();
const [scores] = be.executeMultipleOutputs("AttendCaptionAdditiveScores", [],
  [tf.zeros([1, 2, 3]), tf.fill([1, 3], 0.5), tf.ones([3])], 2);
const want = 3 * Math.tanh(0.5), got = scores.dataSync();
if (Math.abs(got[0] - want) > 1e-5 || Math.abs(got[1] - want) > 1e-5) throw new Error("scores " + Array.from(got) + ", expected " + want);
'
# Node.js's headers (include/node with node_api.h and common.gypi), for node-gyp's --nodedir; empty if none.
node_headers_dir() {
  local candidate
  for candidate in "${npm_config_nodedir:-}" "$(dirname "$(dirname "$(node -p 'process.execPath')")")" \
    "${npm_config_devdir:-${XDG_CACHE_HOME:-$HOME/.cache}/node-gyp}/$(node -p 'process.versions.node')"; do
    if [[ -n $candidate && -f $candidate/include/node/node_api.h && -f $candidate/include/node/common.gypi ]]; then
      echo "$candidate"
      return
    fi
  done
}

# node-gyp: the one npm runs scripts with ($npm_config_node_gyp), npm's own copy, or one on PATH.
node_gyp() {
  local npm_dir
  npm_dir="$(dirname "$(readlink -f "$(command -v npm)")")/.."
  if [[ -n ${npm_config_node_gyp:-} && -f $npm_config_node_gyp ]]; then node "$npm_config_node_gyp" "$@"
  elif [[ -f $npm_dir/node_modules/node-gyp/bin/node-gyp.js ]]; then node "$npm_dir/node_modules/node-gyp/bin/node-gyp.js" "$@"
  elif command -v node-gyp >/dev/null; then node-gyp "$@"
  else return 127; fi
}

build_addons() {
  local headers src built
  headers="$(node_headers_dir)"
  if [[ -z $headers ]]; then
    warn "addons not built: no Node.js headers (include/node/node_api.h) found; the native backend works without its fused kernels, and TensorFlow's start-up lines will show"
    return 0
  fi
  src="$OPS_DIR/src"
  rm -rf "$src"
  rm -f "$OPS_DIR/probe.log" "$OPS_DIR/quiet-probe.log"
  mkdir -p "$src"
  cp "$PROJECT_ROOT"/native/binding.gyp "$PROJECT_ROOT"/native/*.cc "$src/"
  # -k: one addon failing to build does not stop the other.
  if ! (cd "$src" && MAKEFLAGS=-k node_gyp rebuild --nodedir="$headers" -- -Dtf_lib_dir="$PKG_DIR/deps/lib") >"$OPS_DIR/build.log" 2>&1; then
    tail -n 20 "$OPS_DIR/build.log" >&2
    warn "node-gyp failed (output above, all of it in $OPS_DIR/build.log); whatever it built is checked below"
  fi
  built="$src/build/Release"
  # Each addon is checked where it will live (its RUNPATH is relative to that folder), under a new name,
  # then renamed into place; a failed one leaves none behind.
  local ops_new="$OPS_DIR/attend-caption-ops.new.node"
  if [[ -f $built/attend_caption_ops.node ]] && mv -f "$built/attend_caption_ops.node" "$ops_new" &&
    env -i HOME="$HOME" PATH="$PATH" TF_CPP_MIN_LOG_LEVEL=2 node --input-type=commonjs -e "$OPS_PROBE_JS" "$PKG_NAME" "$ops_new" 2>"$OPS_DIR/probe.log"; then
    mv -f "$ops_new" "$OPS_OUT"
    log "fused kernels ready: node_modules/.attend-caption-native/attend-caption-ops.node"
  else
    rm -f "$ops_new" "$OPS_OUT"
    [[ -s $OPS_DIR/probe.log ]] && tail -n 5 "$OPS_DIR/probe.log" >&2
    warn "fused kernels not built or failed their check; the native backend works without them"
  fi
  local quiet_new="$OPS_DIR/quiet-stderr.new.node"
  if [[ -f $built/quiet_stderr.node ]] && mv -f "$built/quiet_stderr.node" "$quiet_new" &&
    node -e 'const q=require(process.argv[1]);const s=q.redirect("/dev/null");console.error("hidden");q.restore(s)' "$quiet_new" 2>"$OPS_DIR/quiet-probe.log" &&
    [[ ! -s $OPS_DIR/quiet-probe.log ]]; then
    mv -f "$quiet_new" "$QUIET_OUT"
    log "quiet-stderr ready: node_modules/.attend-caption-native/quiet-stderr.node"
  else
    rm -f "$quiet_new" "$QUIET_OUT"
    warn "quiet-stderr not built or failed its check (see $OPS_DIR/quiet-probe.log); TensorFlow's start-up lines will show on stderr"
  fi
  rm -rf "$src"
}

# The addons are optional: nothing that goes wrong while building them may undo tfjs-node.
addons() {
  ARMED=0
  build_addons || warn "addons not built (an error above); the native backend works without them"
  rm -rf "$OPS_DIR/src"
}

if [[ -e $PKG_DIR ]] && found="$(probe "$PKG_NAME" 2>/dev/null)"; then
  if ((!FORCE)); then
    log "already installed: $found"
    [[ -f $PKG_DIR/deps/SOURCE ]] && log "built from: $(head -n1 "$PKG_DIR/deps/SOURCE")"
    [[ -n $WHEEL || -n $LIBTF ]] && log "(--wheel/--libtensorflow ignored; add --force to rebuild)"
    addons
    log "native backend ready (${SECONDS}s)"
    exit 0
  fi
  PRIOR_WORKING=1
  log "currently installed and working: $found; rebuilding (--force)"
elif [[ -e $PKG_DIR ]]; then
  log "$PKG_NAME is present but does not load; rebuilding it"
fi

# From here on, failures clean up node_modules/@tensorflow/tfjs-node.
ARMED=1
WORK="$(mktemp -d "${TMPDIR:-/tmp}/setup-native.XXXXXX")"

# ---------------------------------------------------------------------------
# 1. Build prerequisites (all reported at once)
# ---------------------------------------------------------------------------
missing=()
command -v python3 >/dev/null || missing+=("python3 (needed by node-gyp and to read the wheel): apt-get install python3")
command -v "${CXX:-g++}" >/dev/null || missing+=("a C++ compiler (${CXX:-g++}): apt-get install g++")
command -v make >/dev/null || missing+=("make: apt-get install make")

# node-gyp: the copy bundled with npm (as `npm rebuild` would use), else a global one.
NODE_GYP="${npm_config_node_gyp:-}"
if [[ -z $NODE_GYP || ! -f $NODE_GYP ]]; then
  NODE_GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  [[ -f $NODE_GYP ]] || NODE_GYP="$(command -v node-gyp || true)"
fi
[[ -n $NODE_GYP && -f $NODE_GYP ]] || missing+=("node-gyp (normally bundled with npm): npm install -g node-gyp")

# Node.js headers, from a local directory only (otherwise node-gyp would try
# to download them). node_api.h is all the addon needs.
NODE_VERSION="$(node -p 'process.versions.node')"
NODEDIR=""
for candidate in "${npm_config_nodedir:-}" "$(dirname "$(dirname "$(node -p 'process.execPath')")")"; do
  if [[ -n $candidate && -f $candidate/include/node/node_api.h && -f $candidate/include/node/common.gypi ]]; then
    NODEDIR="$candidate"
    break
  fi
done
if [[ -z $NODEDIR && ! -f ${npm_config_devdir:-${XDG_CACHE_HOME:-$HOME/.cache}/node-gyp}/$NODE_VERSION/include/node/node_api.h ]]; then
  missing+=("Node.js $NODE_VERSION headers (include/node/node_api.h): install your distribution's nodejs dev headers, or set npm_config_nodedir=/path/to/node-v$NODE_VERSION (a folder with include/node)")
fi

if ((${#missing[@]})); then
  printf '[setup:native] error: missing build prerequisites:\n' >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi

# ---------------------------------------------------------------------------
# 2. Find the TensorFlow C library: --libtensorflow | --wheel | cached wheel |
#    pip download into the cache.
# ---------------------------------------------------------------------------
SOURCE_KIND="" # wheel | dir
SOURCE_PATH="" # the wheel, or a folder with the library (maybe extracted)
SOURCE_DESC="" # what to report as the origin
if [[ -n $LIBTF ]]; then
  [[ -e $LIBTF ]] || die "$(no_lib_message "--libtensorflow $LIBTF does not exist")"
  LIBTF="$(readlink -f "$LIBTF")"
  SOURCE_KIND=dir SOURCE_PATH="$LIBTF" SOURCE_DESC="$LIBTF"
  if [[ ! -d $LIBTF ]]; then
    log "extracting $LIBTF"
    mkdir "$WORK/libtensorflow"
    tar -xzf "$LIBTF" -C "$WORK/libtensorflow" ||
      die "$(no_lib_message "could not extract $LIBTF (expected a libtensorflow .tar.gz)")"
    SOURCE_PATH="$WORK/libtensorflow"
  fi
  # lib/ + include/ (libtensorflow layout), or the .so files and include/ side
  # by side (an installed site-packages/tensorflow folder).
  lib_src="$SOURCE_PATH/lib"
  [[ -d $lib_src ]] || lib_src="$SOURCE_PATH"
  INC_SRC="$SOURCE_PATH/include"
  shopt -s nullglob
  DIR_LIBS=("$lib_src"/libtensorflow*.so*)
  shopt -u nullglob
  if ((${#DIR_LIBS[@]} == 0)) || [[ ! -f $INC_SRC/tensorflow/c/c_api.h ]]; then
    die "$(no_lib_message "$LIBTF has no lib/libtensorflow*.so* and include/tensorflow/c/c_api.h")"
  fi
elif [[ -n $WHEEL ]]; then
  [[ -f $WHEEL ]] || die "$(no_lib_message "--wheel $WHEEL does not exist")"
  SOURCE_KIND=wheel SOURCE_PATH="$(readlink -f "$WHEEL")"
  SOURCE_DESC="$SOURCE_PATH"
else
  wheel_glob="${PIP_PACKAGE//-/_}-$TF_VERSION-*.whl"
  cached=""
  if [[ -d $CACHE_DIR ]]; then
    cached="$(find "$CACHE_DIR" -maxdepth 1 -type f -name "$wheel_glob" | sort | head -n1)"
  fi
  if [[ -n $cached ]]; then
    log "using cached wheel $cached"
  else
    python3 -m pip --version >/dev/null 2>&1 ||
      die "$(no_lib_message "pip is not available (python3 -m pip), so $PIP_PACKAGE==$TF_VERSION cannot be downloaded")"
    log "downloading $PIP_PACKAGE==$TF_VERSION with pip into $CACHE_DIR (~270 MB) ..."
    mkdir -p "$CACHE_DIR"
    DL_DIR="$(mktemp -d "$CACHE_DIR/.download.XXXXXX")"
    if ! python3 -m pip download --no-deps --only-binary=:all: --dest "$DL_DIR" \
      "$PIP_PACKAGE==$TF_VERSION" >"$WORK/pip.log" 2>&1; then
      tail -n 15 "$WORK/pip.log" >&2
      die "$(no_lib_message "\`pip download --no-deps $PIP_PACKAGE==$TF_VERSION\` failed (output above)")"
    fi
    got="$(find "$DL_DIR" -maxdepth 1 -type f -name '*.whl' | head -n1)"
    [[ -n $got ]] || die "$(no_lib_message "pip download produced no wheel")"
    cached="$CACHE_DIR/$(basename "$got")"
    mv -f "$got" "$cached" # same filesystem: atomic, never a partial wheel in the cache
    rm -rf "$DL_DIR"
    DL_DIR=""
    log "cached $cached"
  fi
  SOURCE_KIND=wheel SOURCE_PATH="$cached" SOURCE_DESC="$cached"
fi
if [[ $SOURCE_KIND == wheel ]]; then
  wheel_tool check "$SOURCE_PATH" ||
    die "$(no_lib_message "$SOURCE_PATH is not a usable TensorFlow wheel (see above)")"
fi

# ---------------------------------------------------------------------------
# 3. tfjs-node package files, without running its (downloading) install script
# ---------------------------------------------------------------------------
# The version pinned in package-lock.json (falls back to 4.22.0).
TFJS_NODE_VERSION="$(node -e '
  try {
    const lock = require(process.argv[1]);
    console.log(lock.packages["node_modules/@tensorflow/tfjs-node"].version);
  } catch { console.log("4.22.0"); }' "$PROJECT_ROOT/package-lock.json")"

if ((!PRIOR_WORKING)); then
  # Start from pristine package files (a previous half-done install may linger).
  rm -rf "$PKG_DIR"
  log "installing $PKG_NAME@$TFJS_NODE_VERSION package files (npm install --ignore-scripts --no-save)"
  MANIFEST_BACKUP="$WORK/manifests"
  mkdir -p "$MANIFEST_BACKUP"
  cp package.json "$MANIFEST_BACKUP/"
  [[ -f package-lock.json ]] && cp package-lock.json "$MANIFEST_BACKUP/"
  if ! npm install --ignore-scripts --no-save --no-audit --no-fund --loglevel=error \
    "$PKG_NAME@$TFJS_NODE_VERSION" >"$WORK/npm.log" 2>&1; then
    grep -v 'Unknown user config' "$WORK/npm.log" | tail -n 15 >&2
    die "npm install $PKG_NAME@$TFJS_NODE_VERSION failed (output above)"
  fi
  restore_manifests
fi
[[ -f $PKG_DIR/package.json ]] || die "$PKG_NAME was not installed into $PKG_DIR"

# ---------------------------------------------------------------------------
# 4. Staging copy, next to the real package (same filesystem => atomic mv)
# ---------------------------------------------------------------------------
STAGE="$(mktemp -d "$SCOPE_DIR/.tfjs-node-native.XXXXXX")"
# Copy the package files, leaving out the outputs of a previous build (deps/,
# build*/, lib/ and our custom-binary.json).
shopt -s dotglob nullglob
for entry in "$PKG_DIR"/*; do
  case "${entry##*/}" in deps | build | build-tmp-* | lib) continue ;; esac
  cp -a "$entry" "$STAGE/"
done
shopt -u dotglob nullglob
rm -f "$STAGE/scripts/custom-binary.json"
mkdir -p "$STAGE/deps/lib" "$STAGE/deps/include"
DEPS_LIB="$STAGE/deps/lib"

# Copy the two shared libraries into deps/lib and set INC_SRC to a folder of
# headers (tensorflow/c/c_api.h ...).
if [[ $SOURCE_KIND == wheel ]]; then
  log "extracting the TensorFlow C library from $(basename "$SOURCE_PATH")"
  # Only the 2 .so files (straight into the stage) and tensorflow/include/
  # (into scratch; the headers actually needed are picked below).
  wheel_tool extract "$SOURCE_PATH" "$DEPS_LIB" "$WORK/wheel" ||
    die "$(no_lib_message "could not extract the C library from $SOURCE_PATH (see above)")"
  INC_SRC="$WORK/wheel/tensorflow/include"
else
  log "copying the TensorFlow C library from $SOURCE_DESC"
  cp -a "${DIR_LIBS[@]}" "$DEPS_LIB/" # keeps the soname symlinks as they are
fi

# Name the libraries the way binding.gyp links them (-ltensorflow
# -ltensorflow_framework => libtensorflow.so, libtensorflow_framework.so), plus
# the .so.2 sonames and the .so.<LIBTENSORFLOW_VERSION> names that tfjs-node's
# scripts/install.js checks for.
pick_first() {
  local f
  for f in "$@"; do [[ -e $DEPS_LIB/$f ]] && { echo "$f"; return 0; }; done
  return 1
}
main_lib="$(pick_first libtensorflow.so.2 libtensorflow_cc.so.2 libtensorflow.so)" ||
  die "$(no_lib_message "no libtensorflow.so.2 / libtensorflow_cc.so.2 in $SOURCE_DESC")"
fw_lib="$(pick_first libtensorflow_framework.so.2 libtensorflow_framework.so)" ||
  die "$(no_lib_message "no libtensorflow_framework.so.2 in $SOURCE_DESC")"
pinned_name="$(cd "$STAGE" && node -p 'require("./scripts/deps-constants.js").depsLibTensorFlowName')" # libtensorflow.so.2.9.1
pinned_ver="${pinned_name#libtensorflow.so.}"
for link in libtensorflow.so libtensorflow.so.2 "libtensorflow.so.$pinned_ver"; do
  [[ -e $DEPS_LIB/$link ]] || ln -s "$main_lib" "$DEPS_LIB/$link"
done
for link in libtensorflow_framework.so libtensorflow_framework.so.2 "libtensorflow_framework.so.$pinned_ver"; do
  [[ -e $DEPS_LIB/$link ]] || ln -s "$fw_lib" "$DEPS_LIB/$link"
done

# Headers: copy only the ones the binding's sources include, transitively
# (about a dozen files instead of the wheel's 13,000). The compiler lists them.
mapfile -t tf_includes < <(sed -n 's/^#include "\(tensorflow\/[^"]*\)".*/\1/p' "$STAGE"/binding/*.cc "$STAGE"/binding/*.h | sort -u)
printf '#include "%s"\n' "${tf_includes[@]}" >"$WORK/headers.cc"
if ! "${CXX:-g++}" -std=c++17 -fsyntax-only -H -I"$INC_SRC" "$WORK/headers.cc" 2>"$WORK/headers.log"; then
  cat "$WORK/headers.log" >&2
  die "$(no_lib_message "the TensorFlow C API headers in $SOURCE_DESC are incomplete (see above)")"
fi
n_headers=0
while IFS= read -r header; do
  rel="${header#"$INC_SRC"/}"
  [[ $rel == "$header" ]] && continue # a system header
  mkdir -p "$STAGE/deps/include/$(dirname "$rel")"
  cp "$header" "$STAGE/deps/include/$rel"
  n_headers=$((n_headers + 1))
done < <(sed -n 's/^\.\+ //p' "$WORK/headers.log" | sort -u)
((n_headers > 0)) || die "found no TensorFlow headers in $INC_SRC"
rm -rf "${WORK:?}/wheel" "${WORK:?}/libtensorflow" # ~13,000 unused headers / the extracted tarball
log "deps/ ready: 2 shared libraries, $n_headers C API headers"

# Make a later `npm rebuild @tensorflow/tfjs-node` compile from source against
# deps/ instead of trying to download a prebuilt addon (install.js switches to
# --build-from-source when custom-binary.json names a "tf-lib").
printf '{ "tf-lib": "file://%s" }\n' "$SOURCE_DESC" >"$STAGE/scripts/custom-binary.json"
printf '%s\nbuilt by scripts/setup-native.sh on %s\n' "$SOURCE_DESC" "$(date -u +%FT%TZ)" >"$STAGE/deps/SOURCE"

# ---------------------------------------------------------------------------
# 5. Compile the addon (node-pre-gyp -> node-gyp; --build-from-source never
#    downloads; the headers come from NODEDIR)
# ---------------------------------------------------------------------------
NODE_PRE_GYP="$(node -p 'require.resolve("@mapbox/node-pre-gyp/bin/node-pre-gyp", { paths: [process.argv[1]] })' "$STAGE")" ||
  die "@mapbox/node-pre-gyp (a dependency of $PKG_NAME) is not installed"
BUILD_LOG="$CACHE_DIR/build.log"
mkdir -p "$CACHE_DIR"
log "compiling the addon (log: $BUILD_LOG) ..."
build_env=(npm_config_node_gyp="$NODE_GYP" npm_config_build_from_source=true)
[[ -n $NODEDIR ]] && build_env+=(npm_config_nodedir="$NODEDIR")
if ! (cd "$STAGE" && env "${build_env[@]}" node "$NODE_PRE_GYP" install --build-from-source) >"$BUILD_LOG" 2>&1; then
  tail -n 30 "$BUILD_LOG" >&2
  die "compiling $PKG_NAME failed (output above; full log in $BUILD_LOG)"
fi
addon="$(find "$STAGE/lib" -name tfjs_binding.node -print -quit 2>/dev/null || true)"
[[ -n $addon ]] || die "the build produced no tfjs_binding.node (see $BUILD_LOG)"
if command -v ldd >/dev/null && env -u LD_LIBRARY_PATH ldd "$addon" | grep -q 'not found'; then
  env -u LD_LIBRARY_PATH ldd "$addon" | grep 'not found' >&2
  die "the addon cannot find its shared libraries"
fi

# Check the staged package before it replaces anything.
log "checking the staged build"
if ! probe "$STAGE" >"$WORK/probe.log" 2>&1; then
  cat "$WORK/probe.log" >&2
  die "the freshly built $PKG_NAME does not work (output above)"
fi

# ---------------------------------------------------------------------------
# 6. Move into place: two renames within node_modules/@tensorflow
# ---------------------------------------------------------------------------
if [[ -e $PKG_DIR ]]; then
  if ((PRIOR_WORKING)); then
    BACKUP="$(mktemp -d "$SCOPE_DIR/.tfjs-node-previous.XXXXXX")"
    rmdir "$BACKUP"
    mv "$PKG_DIR" "$BACKUP"
  else
    rm -rf "$PKG_DIR"
  fi
fi
mv "$STAGE" "$PKG_DIR"
STAGE=""
log "installed into node_modules/$PKG_NAME"

# ---------------------------------------------------------------------------
# 7. Final check from a fresh environment, through normal module resolution
# ---------------------------------------------------------------------------
if ! found="$(probe "$PKG_NAME" 2>"$WORK/probe.log")"; then
  cat "$WORK/probe.log" >&2
  die "$PKG_NAME does not work after installing it (output above)"
fi
[[ -n $BACKUP ]] && rm -rf "$BACKUP"
BACKUP=""
log "$found"
log "TensorFlow C library from: $SOURCE_DESC"
addons
log "native backend ready (${SECONDS}s)"
