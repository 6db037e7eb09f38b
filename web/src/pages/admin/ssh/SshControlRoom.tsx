import { useEffect, useRef, useState } from 'preact/hooks';
import type { Room } from '@colyseus/sdk';
import { joinRoom, leave } from '../../../realtime.ts';
import { session, roleAtLeast } from '../../../session.ts';
import { useStore } from '../../../store.ts';
import { Alert } from '../../../components/Form.tsx';
import { SshTerminal, type TerminalSink } from './SshTerminal.tsx';
import { SshAudit } from './SshAudit.tsx';
import './ssh.css';

interface Health {
  server_name: string;
  host: string;
  is_healthy: boolean;
  last_checked: string;
  consecutive_failures: number;
}
interface SessionView {
  active: boolean;
  owner: string;
  owner_username: string;
  expires_at: string;
}
interface Welcome {
  connection_id: string;
  servers: { server_name: string; host: string; port: number }[];
  transfers: { transfer_name: string; source: { server: string }; destination: { server: string } }[];
}
interface RoomState {
  server_health?: { forEach(fn: (h: Health) => void): void };
  session_status?: SessionView;
}
interface Complete {
  command_id?: string;
  transfer_id?: string;
  transfer_name?: string;
  seq: number;
  exit_code?: number | null;
  signal?: string | null;
  reason?: string;
  duration_ms: number;
  truncated?: boolean;
  bytes?: number;
  sha256?: string;
  destination_sha256?: string;
}
interface Outcome {
  text: string;
  ok: boolean;
}

/**
 * The SSH control room: live health of every target, the exclusive session (who holds it; start, end,
 * take over), commands with streamed output in a terminal, cancel, named transfers and, for admins, the
 * audit list. Everything goes through the `ssh` room; the server decides who may do what.
 */
export function SshControlRoom() {
  const me = useStore(session);
  const isAdmin = me.status === 'signedIn' && roleAtLeast(me.me.role, 'admin');
  const room = useRef<Room | undefined>(undefined);
  const terminal = useRef<TerminalSink | undefined>(undefined);
  const running = useRef<{ id?: string; lastSeq: number }>({ lastSeq: 0 });
  const [welcome, setWelcome] = useState<Welcome>();
  const [health, setHealth] = useState<Health[]>([]);
  const [sessionView, setSessionView] = useState<SessionView>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [server, setServer] = useState('');
  const [command, setCommand] = useState('');
  const [stopPhrase, setStopPhrase] = useState('');
  const [transfer, setTransfer] = useState('');

  useEffect(() => {
    let joined: Room | undefined;
    let closed = false;
    joinRoom('ssh')
      .then((r) => {
        if (closed) return leave(r);
        joined = r;
        room.current = r;
        r.onMessage('welcome', (m: Welcome) => {
          setWelcome(m);
          setServer((s) => s || (m.servers[0]?.server_name ?? ''));
          setTransfer((t) => t || (m.transfers[0]?.transfer_name ?? ''));
        });
        r.onStateChange((state: RoomState) => {
          const list: Health[] = [];
          state.server_health?.forEach((h: Health) => list.push({ ...h }));
          setHealth(list.sort((a, b) => a.server_name.localeCompare(b.server_name)));
          const s = state.session_status;
          if (s)
            setSessionView({
              active: s.active,
              owner: s.owner,
              owner_username: s.owner_username,
              expires_at: s.expires_at,
            });
        });
        r.onMessage(
          'output',
          (m: { command_id?: string; transfer_id?: string; seq: number; stream: 'stdout' | 'stderr'; data: string }) =>
            accept(m.command_id ?? m.transfer_id, m.seq, () => terminal.current?.write(m.stream, m.data)),
        );
        r.onMessage('output_gap', (g: { bytes_dropped: number; next_seq: number }) => {
          terminal.current?.write('info', `[${g.bytes_dropped} bytes of output lost]\n`);
          running.current.lastSeq = g.next_seq - 1;
        });
        r.onMessage('complete', (m: Complete) =>
          accept(m.command_id ?? m.transfer_id, m.seq, () => {
            setBusy(false);
            if (m.transfer_id) {
              const verified = m.sha256 && m.sha256 === m.destination_sha256;
              setOutcome({
                ok: Boolean(verified),
                text: `Transfer ${m.transfer_name} done: ${m.bytes} bytes in ${m.duration_ms} ms; sha256 ${m.sha256} ${verified ? 'verified on the destination' : 'NOT verified'}`,
              });
            } else {
              const how =
                m.exit_code !== null ? `exit code ${m.exit_code}` : `stopped by ${m.signal ?? 'Plaza'} (${m.reason})`;
              setOutcome({
                ok: m.exit_code === 0,
                text: `Finished with ${how} in ${m.duration_ms} ms${m.truncated ? ', output truncated' : ''}`,
              });
            }
          }),
        );
        r.onMessage(
          'error',
          (m: { message: string; error_code: number; command_id?: string; transfer_id?: string }) => {
            if (m.command_id || m.transfer_id) setBusy(false);
            setError(`${m.message} (${m.error_code})`);
          },
        );
        r.onMessage('session_started', (m: { message: string }) => setNotice(m.message));
        r.onMessage('session_ended', (m: { message: string }) => setNotice(m.message));
        r.onMessage('server_health', () => undefined);
        r.onReconnect(() => {
          const { id, lastSeq } = running.current;
          if (id) r.send('output_sync', { command_id: id, after_seq: lastSeq });
        });
      })
      .catch((e: Error) => setError(e.message));
    return () => {
      closed = true;
      leave(joined);
      room.current = undefined;
    };
  }, []);

  /** Shows each message of the current operation once and in order; a skipped seq asks for the rest again. */
  function accept(id: string | undefined, seq: number, show: () => void) {
    const current = running.current;
    if (current.id === undefined) current.id = id;
    if (id !== current.id || seq <= current.lastSeq) return;
    if (seq > current.lastSeq + 1) {
      room.current?.send('output_sync', { command_id: id, after_seq: current.lastSeq });
      return;
    }
    current.lastSeq = seq;
    show();
  }

  const start = (type: string, payload: Record<string, unknown>, banner: string) => {
    setError(undefined);
    setOutcome(undefined);
    running.current = { lastSeq: 0 };
    terminal.current?.write('info', `\n$ ${banner}\n`);
    terminal.current?.reveal();
    setBusy(true);
    room.current?.send(type, payload);
  };
  const send = (type: string) => {
    setError(undefined);
    setNotice(undefined);
    room.current?.send(type, {});
  };
  const mine = sessionView?.active && sessionView.owner === welcome?.connection_id;

  return (
    <section class="ssh-room">
      <h1>SSH control room</h1>
      {error && <Alert>{error}</Alert>}
      {notice && <Alert kind="info">{notice}</Alert>}

      <section aria-labelledby="health-heading">
        <h2 id="health-heading">Server health</h2>
        {health.length === 0 ? (
          <p>No servers configured (SSH_SERVERS_FILE).</p>
        ) : (
          <table class="result">
            <caption>Targets, checked live</caption>
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col">Host</th>
                <th scope="col">Health</th>
                <th scope="col">Last checked</th>
              </tr>
            </thead>
            <tbody>
              {health.map((h) => (
                <tr key={h.server_name}>
                  <td>{h.server_name}</td>
                  <td>{h.host}</td>
                  <td class={h.is_healthy ? 'healthy' : 'unhealthy'}>{h.is_healthy ? 'healthy' : 'unhealthy'}</td>
                  <td>{h.last_checked || 'not yet'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="session-heading">
        <h2 id="session-heading">Exclusive session</h2>
        <p role="status" aria-label="Session holder">
          {!sessionView?.active
            ? 'No session: anyone may run commands.'
            : mine
              ? `You hold the session (until ${sessionView.expires_at}, renewed while you stay).`
              : `Held by ${sessionView.owner_username}: only they may run commands and transfers.`}
        </p>
        <div class="toolbar">
          <button type="button" onClick={() => send('start_session')} disabled={sessionView?.active}>
            Start session
          </button>
          <button
            type="button"
            class="secondary"
            onClick={() => send('end_session')}
            disabled={!sessionView?.active || (!mine && !isAdmin)}
          >
            End session
          </button>
          {isAdmin && (
            <button
              type="button"
              class="danger"
              onClick={() => send('take_over_session')}
              disabled={!sessionView?.active || mine}
            >
              Take over session
            </button>
          )}
        </div>
      </section>

      <section aria-labelledby="command-heading">
        <h2 id="command-heading">Run a command</h2>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            const payload: Record<string, unknown> = { server_name: server, command };
            if (stopPhrase) payload.stop_phrase = stopPhrase;
            start('ssh_command', payload, `${server}: ${command}`);
          }}
        >
          <label class="field">
            <span>Server</span>
            <select aria-label="Server" value={server} onChange={(e) => setServer(e.currentTarget.value)}>
              {welcome?.servers.map((s) => (
                <option key={s.server_name} value={s.server_name}>
                  {s.server_name}
                </option>
              ))}
            </select>
          </label>
          <label class="field grow">
            <span>Command</span>
            <input value={command} required onInput={(e) => setCommand(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>Stop phrase (optional)</span>
            <input value={stopPhrase} onInput={(e) => setStopPhrase(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={busy || !server || !command}>
            Run command
          </button>
          <button type="button" class="danger" disabled={!busy} onClick={() => room.current?.send('cancel', {})}>
            Cancel
          </button>
        </form>
        <SshTerminal onReady={(sink) => (terminal.current = sink)} />
        {outcome && (
          <p role="status" aria-label="Outcome" class={outcome.ok ? 'healthy' : 'unhealthy'}>
            {outcome.text}
          </p>
        )}
      </section>

      <section aria-labelledby="transfer-heading">
        <h2 id="transfer-heading">Transfers</h2>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            start('scp_transfer', { transfer_name: transfer }, `transfer ${transfer}`);
          }}
        >
          <label class="field">
            <span>Transfer</span>
            <select aria-label="Transfer" value={transfer} onChange={(e) => setTransfer(e.currentTarget.value)}>
              {welcome?.transfers.map((t) => (
                <option key={t.transfer_name} value={t.transfer_name}>
                  {t.transfer_name} ({t.source.server} → {t.destination.server})
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy || !transfer}>
            Run transfer
          </button>
        </form>
        <p class="muted">A transfer needs your own session; its progress shows in the terminal.</p>
      </section>

      {isAdmin && <SshAudit />}
    </section>
  );
}
