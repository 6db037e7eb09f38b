import net from 'node:net';

/**
 * How the proxy treats traffic, as a bad network would:
 * - `pass`: forwards both ways.
 * - `freeze`: stops reading both sides; bytes wait in kernel buffers and flow again on `pass`
 *   (a stalled path: nothing is lost, nothing arrives, nobody is told).
 * - `blackhole`: reads both sides and throws the bytes away (a silent loss: senders believe they sent).
 * - `hang`: like `pass` for open connections, but new connections are accepted and never forwarded
 *   (a server that accepts and never answers).
 */
export type ProxyMode = 'pass' | 'freeze' | 'blackhole' | 'hang';

export interface TcpProxy {
  /** The loopback port clients connect to instead of the target's. */
  readonly port: number;
  readonly mode: ProxyMode;
  /** Changes how open and new connections are treated from now on. */
  set(mode: ProxyMode): void;
  /** Ends every open connection at once with a reset, as a cable pulled or a process killed would. */
  cut(): void;
  /** Connections currently open through the proxy. */
  readonly connections: number;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
}

/** A TCP proxy on 127.0.0.1 in front of `target` whose behaviour a test switches while traffic flows. */
export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let mode: ProxyMode = 'pass';

  const apply = (pair: Pair) => {
    const sockets = pair.upstream ? [pair.client, pair.upstream] : [pair.client];
    for (const socket of sockets) {
      if (mode === 'freeze' || (mode === 'hang' && !pair.upstream)) socket.pause();
      else socket.resume();
    }
  };

  const forward = (from: net.Socket, to: () => net.Socket | null) => {
    from.on('data', (chunk) => {
      if (mode === 'blackhole') return;
      to()?.write(chunk);
    });
  };

  const connectUpstream = (pair: Pair) => {
    const upstream = net.connect({ host: target.host ?? '127.0.0.1', port: target.port });
    pair.upstream = upstream;
    upstream.setNoDelay(true);
    forward(upstream, () => pair.client);
    forward(pair.client, () => upstream);
    const end = () => destroyPair(pair);
    upstream.on('error', end).on('close', end);
    apply(pair);
  };

  const destroyPair = (pair: Pair, reset = false) => {
    if (!pairs.delete(pair)) return;
    for (const socket of [pair.client, pair.upstream]) {
      if (!socket) continue;
      if (reset) socket.resetAndDestroy();
      else socket.destroy();
    }
  };

  const server = net.createServer((client) => {
    const pair: Pair = { client, upstream: null };
    pairs.add(pair);
    client.setNoDelay(true);
    client.on('error', () => destroyPair(pair)).on('close', () => destroyPair(pair));
    if (mode === 'hang') {
      client.pause();
      return;
    }
    connectUpstream(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    get mode() {
      return mode;
    },
    get connections() {
      return pairs.size;
    },
    set(next) {
      mode = next;
      for (const pair of pairs) apply(pair);
    },
    cut() {
      for (const pair of [...pairs]) destroyPair(pair, true);
    },
    close() {
      for (const pair of [...pairs]) destroyPair(pair, true);
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
