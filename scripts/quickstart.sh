#!/usr/bin/env bash
# quickstart.sh: on a fresh Debian machine, install what imagine needs,
# build it, and run the main job on the embedded defaults (no GPU, no key).
# The TravelPlanner data is read from $IMAGINE_DATA or ../shared/travelplanner, else fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
if ! dpkg -s $(cat .ci/packages.txt) >/dev/null 2>&1; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $(cat .ci/packages.txt) >/dev/null
fi
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
# The data: $IMAGINE_DATA, else ../shared/travelplanner, else fetched (issue 13 item 17) into
# ~/.local/share/imagine/travelplanner from $IMAGINE_DATA_FROM (a mirror of the package) or
# the official sources (GitHub, Hugging Face CSVs converted; $IMAGINE_UPSTREAM_MIRROR stands for them).
if [ -z "${IMAGINE_DATA:-}" ] && [ -d ../shared/travelplanner ]; then
  export IMAGINE_DATA="$PWD/../shared/travelplanner"
elif [ -z "${IMAGINE_DATA:-}" ]; then
  export IMAGINE_DATA="${XDG_DATA_HOME:-$HOME/.local/share}/imagine/travelplanner"
  if ! ./build/harness/imagine data check --data "$IMAGINE_DATA" --quiet >/dev/null 2>&1; then
    ./build/harness/imagine data fetch --data "$IMAGINE_DATA" ${IMAGINE_DATA_FROM:+--from "$IMAGINE_DATA_FROM"} \
      ${IMAGINE_UPSTREAM_MIRROR:+--upstream-mirror "$IMAGINE_UPSTREAM_MIRROR"} || {
      echo "quickstart: the data in $IMAGINE_DATA is incomplete (see above and docs/data.md): set IMAGINE_DATA_FROM to a" \
           "mirror of the package (a folder or URL) and run this again" >&2
      exit 3
    }
  fi
fi
./build/harness/imagine data check 2>/dev/null || true
# PlanBench: $IMAGINE_PLANBENCH_DATA, else ../shared/planbench, else fetched from the authors'
# repository at the pinned commit (or $IMAGINE_PLANBENCH_FROM, a mirror of the package).
if [ -z "${IMAGINE_PLANBENCH_DATA:-}" ] && [ -d ../shared/planbench ]; then
  export IMAGINE_PLANBENCH_DATA="$PWD/../shared/planbench"
elif [ -z "${IMAGINE_PLANBENCH_DATA:-}" ]; then
  export IMAGINE_PLANBENCH_DATA="${XDG_DATA_HOME:-$HOME/.local/share}/imagine/planbench"
  if ! ./build/harness/imagine data check --suite planbench --data "$IMAGINE_PLANBENCH_DATA" >/dev/null 2>&1; then
    ./build/harness/imagine data fetch --suite planbench --data "$IMAGINE_PLANBENCH_DATA" \
      ${IMAGINE_PLANBENCH_FROM:+--from "$IMAGINE_PLANBENCH_FROM"} || {
      echo "quickstart: the PlanBench data in $IMAGINE_PLANBENCH_DATA is incomplete (see above, docs/planbench.md):" \
           "set IMAGINE_PLANBENCH_FROM to a mirror of the package and run this again" >&2
      exit 3
    }
  fi
fi
exec scripts/main-job.sh
