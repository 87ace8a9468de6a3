#!/usr/bin/env bash
# Runs a command inside a throwaway Linux desktop session:
#   - a virtual X screen (Xvfb, 1280x800x24), so windows never open on a real screen;
#   - a private D-Bus session bus (the keychain and single-instance need one);
#   - gnome-keyring's Secret Service, unlocked with a throwaway password, keeping
#     its files in a temporary XDG tree so a developer's real login keyring is
#     never read, unlocked or created.
# Everything is removed when the command ends; its exit code is passed on.
# Inside an existing session (nested make calls) the command just runs.
#
#   tests/e2e/desktop-session.sh cargo test
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

if [ -n "${CASEBRIDGE_DESKTOP_SESSION:-}" ]; then
  exec "$@"
fi

for tool in xvfb-run dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found; run 'make deps' first." >&2; exit 1; }
done

root=$(mktemp -d "${TMPDIR:-/tmp}/casebridge-session.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p -m 700 "$root/runtime"
export CASEBRIDGE_DESKTOP_SESSION=$root
# gnome-keyring finds a running daemon through XDG_RUNTIME_DIR and keeps its
# keyrings under XDG_DATA_HOME: point both at the throwaway tree.
export XDG_RUNTIME_DIR=$root/runtime XDG_DATA_HOME=$root/data XDG_CONFIG_HOME=$root/config XDG_CACHE_HOME=$root/cache

status=0
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -euo pipefail
  # --unlock reads the password on stdin and creates the login keyring on first use.
  printf %s throwaway-e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"
' casebridge-session "$@" || status=$?
exit "$status"
