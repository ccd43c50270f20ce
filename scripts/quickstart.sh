#!/usr/bin/env bash
# quickstart.sh: on a fresh Debian machine, install what imagine needs,
# build it, and run the main job on the embedded defaults (no GPU, no key).
# The TravelPlanner data is read from ../shared/travelplanner (or $IMAGINE_DATA).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
if ! dpkg -s $(cat .ci/packages.txt) >/dev/null 2>&1; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $(cat .ci/packages.txt) >/dev/null
fi
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
export IMAGINE_DATA="${IMAGINE_DATA:-$PWD/../shared/travelplanner}"
./build/harness/imagine data check 2>/dev/null || true
exec scripts/main-job.sh
