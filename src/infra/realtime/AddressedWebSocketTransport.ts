import type { IncomingMessage } from 'node:http';
import { WebSocketTransport, type TransportOptions } from '@colyseus/ws-transport';
import proxyaddr from 'proxy-addr';

/**
 * Colyseus' WebSocket transport that remembers each connection's client address, resolved as Express
 * resolves `req.ip`: from X-Forwarded-For only when TRUST_PROXY is set. Colyseus' own `context.ip`
 * believes X-Real-IP and X-Forwarded-For from anyone, so the admin views cannot use it.
 */
export class AddressedWebSocketTransport extends WebSocketTransport {
  private readonly addresses = new WeakMap<object, string>();

  constructor(options: TransportOptions, trustProxy: boolean) {
    super(options);
    const trust = () => trustProxy;
    // Ahead of Colyseus' own listener, so the address is known when the room's onJoin runs.
    this.wss.prependListener('connection', (socket: object, req: IncomingMessage) => {
      this.addresses.set(socket, proxyaddr(req, trust));
    });
  }

  /** The client address of a connection's socket (Colyseus' `client.ref`), if it came through this transport. */
  addressOf(socket: object): string | undefined {
    return this.addresses.get(socket);
  }
}
