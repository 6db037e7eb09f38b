/**
 * The embedded database's own thread: one PGlite instance serving the PostgreSQL wire protocol on a
 * unix socket, so its queries run here and never on the server's event loop. Started by
 * EmbeddedDatabase with plain Node (type stripping, no loader): it imports only PGlite and its own small modules.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { FailStopPGlite } from './FailStopPGlite.ts';
import { PGLITE_EXTENSIONS } from './pgliteExtensions.ts';
import type { PgliteWasm } from './pgliteWasm.ts';

/** PGlite's WebAssembly comes compiled from the main thread (pgliteWasm). */
export interface EmbeddedThreadData extends PgliteWasm {
  dataDir: string;
  socketPath: string;
  /** A data directory dump to start from (tests), as bytes. */
  load?: ArrayBuffer;
}

const { dataDir, socketPath, load, pgliteWasmModule, initdbWasmModule } = workerData as EmbeddedThreadData;
const db = new FailStopPGlite({
  dataDir,
  pgliteWasmModule,
  initdbWasmModule,
  loadDataDir: load ? new Blob([load]) : undefined,
  extensions: PGLITE_EXTENSIONS,
});
await db.waitReady;
let stopping = false;
// A broken PGlite ends this thread (an uncaught error: the main thread hears it and reopens the directory).
db.whenBroken((reason) => {
  if (!stopping)
    setImmediate(() => {
      throw reason;
    });
});
// Every connection shares PGlite's one session; the main thread keeps one at a time (pool of one),
// a few more are allowed so a replacement can connect while a dropped one is being closed.
const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 4 });
await server.start();
parentPort!.on('message', async (message: { type: string; reply?: MessagePort }) => {
  if (message.type === 'dump' && message.reply) {
    // A backup of the running server: PGlite runs one operation at a time, so the archive is consistent.
    const reply = message.reply;
    try {
      const bytes = await (await db.dumpDataDir('gzip')).arrayBuffer();
      reply.postMessage({ bytes }, [bytes]);
    } catch (err) {
      reply.postMessage({ error: String(err) });
    }
    reply.close();
    return;
  }
  if (message.type !== 'stop') return;
  stopping = true;
  await server.stop().catch(() => {});
  await db.close().catch(() => {});
  parentPort!.postMessage({ type: 'stopped' });
});
parentPort!.postMessage({ type: 'ready' });
