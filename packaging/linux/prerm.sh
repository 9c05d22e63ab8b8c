#!/bin/sh
# Before the deb/rpm package is removed: stop the service, whose unit and binary go away.
# Only on removal (deb "remove", rpm 0); an upgrade leaves the running service alone.
set -e

case "${1:-}" in
    remove | 0)
        if [ -d /run/systemd/system ]; then
            systemctl stop mizan.service || true
            systemctl disable mizan.service || true
        fi
        ;;
esac
exit 0
