#!/usr/bin/env bash
# The daily work of a ClientCalls server, run by clientcalls-daily.timer at 02:30 (README,
# "Deploying"). The reminder and the month pack are queued for the task worker
# (clientcalls-worker.service, docs/tasks.md), which does them, retries once if it dies and
# records each as a job; the clean-up and the backup run here. Every step runs even when an earlier one failed; the script then exits 1, so
# `systemctl --failed` and the journal show it. Settings from the environment (.env):
#   BACKUP_DIR        where backups go (default /var/backups/clientcalls): the database and,
#                     beside it, the uploaded files of MEDIA_ROOT (the letterhead's logo)
#   BACKUP_KEEP_DAYS  backups older than this are deleted (default 14)
#   STATEMENTS_DIR    where the month pack is written on the 1st (default
#                     /var/lib/clientcalls/statements)
#   DAILY_DATE        the day to act for, YYYY-MM-DD (default today): to redo a missed 1st,
#                     DAILY_DATE=2026-12-01 deploy/daily.sh
#   PYTHON            default: the checkout's .venv/bin/python
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
BACKUP_DIR=${BACKUP_DIR:-/var/backups/clientcalls}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
STATEMENTS_DIR=${STATEMENTS_DIR:-/var/lib/clientcalls/statements}
DAILY_DATE=${DAILY_DATE:-$(date +%F)}
failed=0

step() {
  echo "daily: $*"
  if ! "$PYTHON" manage.py "$@"; then
    echo "daily: FAILED: $*" >&2
    failed=1
  fi
}

# Import runs left "running" by a process that died (a killed import, a reboot).
step mark_interrupted_imports
# The database, and MEDIA_ROOT as clientcalls-<time>.media.tar.gz beside it.
step backup_database --output "$BACKUP_DIR" --keep "$BACKUP_KEEP_DAYS"
# Jobs finished more than JOB_FILES_KEEP_DAYS ago, with their files (month packs, long PDFs);
# jobs whose worker died are retried once, then marked failed.
step delete_old_jobs
# E-mail partners the calls of the day before that have no client (sent once per day).
step send_reminders --background --day "$(date -d "$DAILY_DATE -1 day" +%F)"
# On the 1st, the month pack of the month that just ended.
if [ "$(date -d "$DAILY_DATE" +%d)" = 01 ]; then
  step client_statements --background --month "$(date -d "$DAILY_DATE -1 month" +%Y-%m)" --output "$STATEMENTS_DIR"
fi
exit "$failed"
