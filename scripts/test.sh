#!/usr/bin/env bash
# One command for the whole test suite on a fresh Debian machine (as root, with a JDK and Maven):
# installs what the tests need from Debian's packages, then runs unit, parser, command and
# integration tests (real Postfix instances on loopback: the lab), and, when the package build
# is present, the Debian package checks. With CI=true integration tests never skip: if Postfix
# cannot be started they fail.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
export CI="${CI:-true}"
mvn -B verify
if [ -x packaging/ci-check-deb.sh ]; then
    packaging/ci-check-deb.sh
fi
