#!/usr/bin/env bash
# One command from a fresh Debian machine (as root, with a JDK and Maven) to an mfshell session
# on a working relay: installs Postfix if missing, builds mfshell, brings up the lab of real
# Postfix instances on loopback (aol-a, earthlink-a, msn-a, msn-b, therest-a and a provider),
# seeds it with mail, and opens the interactive shell on it.
#   MFSHELL_LAB_ROOT   (default /var/tmp/mfshell-lab)   where the lab lives
#   MFSHELL_LAB_PREFIX (default 127.0.1)                its loopback addresses
#   MFSHELL_LAB_SHAPE  (default default)                handmade: the relay built as Debian admins do
#                      (postmulti, rsyslog; root /var/tmp/mfshell-handmade, prefix 127.0.2 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
if [ ! -f target/mfshell.jar ] || [ -n "$(find src pom.xml -newer target/mfshell.jar -print -quit)" ]; then
    mvn -B -q package -DskipTests
fi
shape="${MFSHELL_LAB_SHAPE:-default}"
if [ "$shape" = handmade ]; then
    export MFSHELL_LAB_ROOT="${MFSHELL_LAB_ROOT:-/var/tmp/mfshell-handmade}"
    export MFSHELL_LAB_PREFIX="${MFSHELL_LAB_PREFIX:-127.0.2}"
    export MFSHELL_MAIL_LOG="$MFSHELL_LAB_ROOT/var/log/mail.log"
else
    export MFSHELL_LAB_ROOT="${MFSHELL_LAB_ROOT:-/var/tmp/mfshell-lab}"
    export MFSHELL_LAB_PREFIX="${MFSHELL_LAB_PREFIX:-127.0.1}"
fi
lab=(--shape "$shape" --root "$MFSHELL_LAB_ROOT" --prefix "$MFSHELL_LAB_PREFIX")
export MFSHELL_CONFIG_ROOT="$MFSHELL_LAB_ROOT/etc"
# packaging/mfshell is the launcher the .deb installs, run from this checkout (target/app).
packaging/mfshell lab up "${lab[@]}"
packaging/mfshell lab seed "${lab[@]}"
export MFSHELL_STATE_DIR="${MFSHELL_STATE_DIR:-$MFSHELL_LAB_ROOT/state}"
export MFSHELL_AUDIT_LOG="${MFSHELL_AUDIT_LOG:-$MFSHELL_LAB_ROOT/log/mfshell-audit.log}"
exec packaging/mfshell
