#!/bin/sh
# After the deb/rpm package is unpacked: the `mizan` system user, /etc/mizan and its env file.
# Idempotent, so it ignores the deb ("configure", ...) and rpm (1, 2) arguments alike. It does
# not enable or start the service: that needs the tokens in /etc/mizan/mizan.env first.
set -e

if ! getent passwd mizan >/dev/null; then
    if [ -e /etc/debian_version ]; then
        adduser --system --group --home /var/lib/mizan --no-create-home mizan
    else
        # RPM systems: their adduser, if any, is useradd under another name.
        useradd --system --user-group --home-dir /var/lib/mizan --no-create-home \
            --shell /usr/sbin/nologin mizan
    fi
fi

install -d -m 0750 -o root -g mizan /etc/mizan
if [ ! -e /etc/mizan/mizan.env ]; then
    install -m 0600 -o root -g mizan /usr/share/mizan/mizan.env.example /etc/mizan/mizan.env
fi

# Make the new or changed unit file known; nothing is enabled or started.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
fi
exit 0
