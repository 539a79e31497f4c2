# Sourced by control-plane-up.sh and control-plane-down.sh: starting daemons in the background
# and stopping exactly those again. Each start leaves $STATE/pids/NAME holding the pid, the
# process's start time (field 22 of /proc/PID/stat) and a word its command line must contain.
# A pid is signalled only while both still match, so a recycled pid is never touched.

# proc_start_time PID -> the kernel's start time of that process, in clock ticks since boot
proc_start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # the command name (field 2) may hold spaces; count fields after its closing parenthesis
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  echo "${20}"
}

# is_ours NAME -> true when the recorded process still runs and is the one we started
is_ours() {
  local record=$STATE/pids/$1 pid started marker now cmdline
  [ -f "$record" ] || return 1
  { read -r pid started; read -r marker; } < "$record"
  now=$(proc_start_time "$pid") || return 1
  [ "$now" = "$started" ] || return 1
  cmdline=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *"$marker"* ]]
}

# recorded_pid NAME
recorded_pid() {
  head -n 1 "$STATE/pids/$1" | cut -d ' ' -f 1
}

# start_daemon NAME USER MARKER COMMAND... -> runs COMMAND as USER in the background, output
# to $STATE/logs/NAME.out; MARKER is a word the running command line will contain.
start_daemon() {
  local name=$1 user=$2 marker=$3 pid started
  shift 3
  if is_ours "$name"; then
    echo "control plane: $name already runs (pid $(recorded_pid "$name")); stop it first" >&2
    return 1
  fi

  if [ "$user" = root ]; then
    nohup "$@" > "$STATE/logs/$name.out" 2>&1 < /dev/null &
  else
    nohup setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- "$@" \
      > "$STATE/logs/$name.out" 2>&1 < /dev/null &
  fi
  pid=$!
  started=$(proc_start_time "$pid") || {
    echo "control plane: $name exited at once; see $STATE/logs/$name.out" >&2
    return 1
  }
  printf '%s %s\n%s\n' "$pid" "$started" "$marker" > "$STATE/pids/$name"
  echo "  started $name (pid $pid)"
}

# descendants PID -> every process below PID, children first listed last
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

# alive PID STARTED -> still running (a zombie counts as gone) and still the same process
alive() {
  local now state
  now=$(proc_start_time "$1") || return 1
  [ "$now" = "$2" ] || return 1
  state=$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 1)
  [ "$state" != Z ]
}

# stop_daemon NAME -> SIGTERM to our process; SIGKILL to it and what it spawned after 30 s
stop_daemon() {
  local name=$1 record=$STATE/pids/$1 pid started kin i
  [ -f "$record" ] || return 0
  read -r pid started < "$record"
  if ! is_ours "$name"; then
    echo "  $name: pid $pid is gone or no longer ours; not signalled"
    rm -f "$record"
    return 0
  fi

  kin=$(descendants "$pid" | while read -r child; do
    echo "$child $(proc_start_time "$child")"
  done)
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    alive "$pid" "$started" || break
    sleep 0.1
  done
  if alive "$pid" "$started"; then
    echo "  $name (pid $pid) ignored SIGTERM for 30 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # children of a daemon that died hard are orphans now; they are ours all the same
  while read -r child child_started; do
    [ -n "$child" ] && alive "$child" "$child_started" && kill -KILL "$child" 2>/dev/null
  done <<< "$kin"
  rm -f "$record"
  echo "  stopped $name (pid $pid)"
}
