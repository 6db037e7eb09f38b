/** Baseline for bench:chat: a bare `ws` server that broadcasts every text frame to every client. */
import { WebSocketServer, WebSocket } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
  });
});
wss.on('listening', () => {
  const address = wss.address();
  process.send?.({ port: address && typeof address === 'object' ? address.port : 0 });
});
process.on('disconnect', () => process.exit(0));
