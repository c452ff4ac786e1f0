#!/usr/bin/env bash
# manage.py with the production settings, as the clientcalls user (README, "Deploying"):
#   deploy/manage.sh migrate
#   deploy/manage.sh backup_database --output /var/backups/clientcalls --keep 14
# Run it as root or as clientcalls; the settings come from CLIENTCALLS_ENV (default
# /etc/clientcalls/clientcalls.env, readable by the clientcalls group).
set -euo pipefail
if [ "$(id -u)" = 0 ]; then
  exec runuser -u clientcalls -- "$0" "$@"
fi
cd "$(dirname "$0")/.."
set -a
# shellcheck disable=SC1090
. "${CLIENTCALLS_ENV:-/etc/clientcalls/clientcalls.env}"
set +a
exec .venv/bin/python manage.py "$@"
