#!/usr/bin/env bash
# The whole test suite: installs what it needs (system packages as root via apt, npm deps), then
# typecheck, lint, unit and integration tests with real clients. Never skips: a missing tool fails here.
set -euo pipefail
cd "$(dirname "$0")/.."

# program -> Debian package that provides it
declare -A NEED=(
  [ffmpeg]=ffmpeg [ffprobe]=ffmpeg [rtmpdump]=rtmpdump
  [gst-launch-1.0]="gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad"
  [chromium]=chromium [openssl]=openssl [srt-live-transmit]=srt-tools
  [/usr/lib/postgresql/15/bin/initdb]="postgresql"
  [/usr/sbin/nginx]="nginx libnginx-mod-rtmp"
  [redis-server]=redis-server
)
missing=()
for prog in "${!NEED[@]}"; do
  command -v "$prog" >/dev/null 2>&1 || [ -x "$prog" ] || missing+=("${NEED[$prog]}")
done
# rtmp2src/rtmp2sink live in gst-plugins-bad; the binary alone is not enough.
if command -v gst-inspect-1.0 >/dev/null 2>&1 && ! gst-inspect-1.0 rtmp2src >/dev/null 2>&1; then missing+=(gstreamer1.0-plugins-bad); fi
# Re-push tests push to a real nginx-rtmp: the module is a file, not a program.
[ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] || missing+=(libnginx-mod-rtmp)
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' ${missing[@]} | sort -u | tr '\n' ' ')
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing system packages: $pkgs"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  else
    echo "test.sh: missing system packages: $pkgs (install them, e.g. sudo apt-get install $pkgs)" >&2
    exit 1
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "test.sh: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "test.sh: typecheck"
npx tsc -p tsconfig.json --noEmit
npx tsc -p src/web/dashboard/tsconfig.json
echo "test.sh: lint"
npx eslint . --max-warnings=0

if [ "${1:-}" = "--unit" ]; then
  mapfile -t files < <(find src -name '*.test.ts' | sort)
  echo "test.sh: ${#files[@]} test files"
  exec node --import tsx --test --test-concurrency=2 --test-timeout=480000 "${files[@]}"
fi

# Most integration tests wait on real-time media (ffmpeg -re, players, segment clocks), so two files run at
# once. Files that keep both cores busy themselves (ABR transcodes, load and health figures) run afterwards,
# one at a time, so their real-time clients are not starved by a neighbour. The bench library's logic tests, the
# transcode orphan check and the no-ffmpeg passthrough checks are not among them (parsers, statistics, scripted
# servers; one short ffmpeg; stream copies).
# The cluster's ABR files transcode too: beside another file the measured encode speed fell under real time (0.56x) and the
# transcoder dropped the 180p rung by design (too_slow), so the rendition the test plays was 404.
SERIAL_RE='^test/(transcode/transcode\.|cluster/(edge-abr|owner-move-abr)\.|bench/http-viewers-onair|rtmp/load-takeover|hls/hls-load|health/health-e2e)'
# The order given here is not the order they run in: node --test (Node 20) sorts the files it is given, so they run
# by path, src/ (short unit files) first, then test/ from api to web. Longest-first would barely help: with per-file
# times from the last full run, a simulated two-slot schedule ends within ~5 s of the path order's (1173 s).
mapfile -t parallel < <({ find test -name '*.test.ts' | sort; find src -name '*.test.ts' | sort; } | grep -Ev "$SERIAL_RE")
mapfile -t serial < <(find test -name '*.test.ts' | sort | grep -E "$SERIAL_RE")
echo "test.sh: $(( ${#parallel[@]} + ${#serial[@]} )) test files (${#parallel[@]} two at a time, then ${#serial[@]} alone)"
status=0
node --import tsx --test --test-concurrency=2 --test-timeout=480000 "${parallel[@]}" || status=$?
node --import tsx --test --test-concurrency=1 --test-timeout=480000 "${serial[@]}" || status=$?
exit $status
