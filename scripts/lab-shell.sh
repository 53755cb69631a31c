#!/usr/bin/env bash
# One command from a fresh Debian machine (as root, with a JDK and Maven) to an mfshell session
# on a working relay: installs Postfix if missing, builds mfshell, brings up the lab of real
# Postfix instances on loopback (aol-a, earthlink-a, msn-a, msn-b, therest-a and a provider),
# seeds it with mail, and opens the interactive shell on it.
#   MFSHELL_LAB_ROOT   (default /var/tmp/mfshell-lab)   where the lab lives
#   MFSHELL_LAB_PREFIX (default 127.0.1)                its loopback addresses
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
if [ ! -f target/mfshell.jar ] || [ -n "$(find src pom.xml -newer target/mfshell.jar -print -quit)" ]; then
    mvn -B -q package -DskipTests
fi
export MFSHELL_LAB_ROOT="${MFSHELL_LAB_ROOT:-/var/tmp/mfshell-lab}"
export MFSHELL_LAB_PREFIX="${MFSHELL_LAB_PREFIX:-127.0.1}"
export MFSHELL_CONFIG_ROOT="$MFSHELL_LAB_ROOT/etc"
# packaging/mfshell is the launcher the .deb installs, run from this checkout (target/app).
packaging/mfshell lab up
packaging/mfshell lab seed
export MFSHELL_STATE_DIR="${MFSHELL_STATE_DIR:-$MFSHELL_LAB_ROOT/state}"
export MFSHELL_AUDIT_LOG="${MFSHELL_AUDIT_LOG:-$MFSHELL_LAB_ROOT/log/mfshell-audit.log}"
exec packaging/mfshell
