#!/usr/bin/env bash
# Starts two OpenSSH servers on 127.0.0.1 for Plaza's SSH tests (installs nothing; needs root and
# openssh-server, e.g. `apt-get install -y openssh-server`).
#
#   test/helpers/start-sshd.sh [start|stop] [a|b|all]
#
# Environment: PLAZA_SSHD_DIR (default /tmp/plaza-sshd), PLAZA_SSHD_PORTS (default "2222 2223"),
# PLAZA_SSHD_USER (default plaza-ssh-test).
#
# `start` writes, in PLAZA_SSHD_DIR:
#   servers.yaml   a Plaza SSH_SERVERS_FILE: sshd-a (password auth, from $PLAZA_SSHD_PASSWORD),
#                  sshd-b (ed25519 key auth), pinned host key fingerprints, transfer a_to_b
#   password       the test user's password (export it as PLAZA_SSHD_PASSWORD)
#   id_ed25519     the client key for sshd-b;  data/a, data/b  the transfer directories
# and prints the servers file path. The tests find it through PLAZA_SSHD_SERVERS_FILE or the default dir.
set -euo pipefail

ACTION=${1:-start}
WHICH=${2:-all}
DIR=${PLAZA_SSHD_DIR:-/tmp/plaza-sshd}
read -r PORT_A PORT_B <<<"${PLAZA_SSHD_PORTS:-2222 2223}"
TEST_USER=${PLAZA_SSHD_USER:-plaza-ssh-test}
SSHD=$(command -v sshd || echo /usr/sbin/sshd)

instances() { if [ "$WHICH" = all ]; then echo a b; else echo "$WHICH"; fi; }
port_of() { if [ "$1" = a ]; then echo "$PORT_A"; else echo "$PORT_B"; fi; }

stop_one() {
  # Only our own sshd: processes started with our config file. The pid file may be gone or stale (a
  # run that died half-way), so look the processes up by their command line as well.
  local conf="$DIR/sshd_$1.conf" pids pid
  pids=$( { cat "$DIR/sshd_$1.pid" 2>/dev/null; pgrep -f -- "sshd .*-f $conf" 2>/dev/null; } | sort -u || true)
  for pid in $pids; do
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$conf"; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  done
  rm -f "$DIR/sshd_$1.pid"
}

wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "sshd did not start listening on 127.0.0.1:$1; see $DIR/sshd_*.log" >&2
  return 1
}

start_one() {
  local name=$1 port; port=$(port_of "$1")
  stop_one "$name"
  cat >"$DIR/sshd_$name.conf" <<CONF
ListenAddress 127.0.0.1
Port $port
PidFile none
HostKey $DIR/hostkey_$name
AuthorizedKeysFile $DIR/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication yes
PubkeyAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $TEST_USER
Subsystem sftp internal-sftp
MaxSessions 20
LogLevel INFO
CONF
  "$SSHD" -t -f "$DIR/sshd_$name.conf"
  "$SSHD" -D -e -f "$DIR/sshd_$name.conf" >>"$DIR/sshd_$name.log" 2>&1 &
  echo $! >"$DIR/sshd_$name.pid"
  wait_port "$port"
}

fingerprint() { ssh-keygen -lf "$1" -E sha256 | awk '{print $2}'; }

if [ "$ACTION" = stop ]; then
  for i in $(instances); do stop_one "$i"; done
  exit 0
fi
[ "$ACTION" = start ] || { echo "usage: $0 [start|stop] [a|b|all]" >&2; exit 64; }
[ -x "$SSHD" ] || { echo "sshd not found: apt-get install -y openssh-server" >&2; exit 69; }
[ "$(id -u)" = 0 ] || { echo "must run as root (creates a test user, starts sshd)" >&2; exit 77; }

mkdir -p "$DIR/data/a" "$DIR/data/b" /run/sshd
chmod 755 "$DIR"
if ! id "$TEST_USER" >/dev/null 2>&1; then
  # -p '*' gives no usable password without locking the account ('!' would refuse even keys).
  useradd -m -p '*' -s /bin/sh "$TEST_USER"
fi
[ -f "$DIR/password" ] || { head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$DIR/password"; chmod 600 "$DIR/password"; }
echo "$TEST_USER:$(cat "$DIR/password")" | chpasswd
for i in a b; do [ -f "$DIR/hostkey_$i" ] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/hostkey_$i"; done
[ -f "$DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/id_ed25519"
cp "$DIR/id_ed25519.pub" "$DIR/authorized_keys"
chmod 644 "$DIR/authorized_keys"
chown -R "$TEST_USER" "$DIR/data"

for i in $(instances); do start_one "$i"; done

cat >"$DIR/servers.yaml" <<YAML
# Written by test/helpers/start-sshd.sh: two local OpenSSH servers for Plaza's tests.
servers:
  - name: sshd-a
    host: 127.0.0.1
    port: $PORT_A
    username: $TEST_USER
    host_key_fingerprint: "$(fingerprint "$DIR/hostkey_a.pub")"
    auth:
      password_env: PLAZA_SSHD_PASSWORD
  - name: sshd-b
    host: 127.0.0.1
    port: $PORT_B
    username: $TEST_USER
    host_key_fingerprint: "$(fingerprint "$DIR/hostkey_b.pub")"
    auth:
      private_key_path: $DIR/id_ed25519
transfers:
  - name: a_to_b
    source: { server: sshd-a, path: $DIR/data/a/source.bin }
    destination: { server: sshd-b, path: $DIR/data/b/copied.bin }
YAML
echo "$DIR/servers.yaml"
