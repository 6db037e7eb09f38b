/**
 * Runs `task` while holding a lock shared by every tab of this origin, so only one tab at a time does it.
 *
 * The Web Locks API (`navigator.locks`) does this, but browsers offer it only in secure contexts (HTTPS or
 * localhost), and the console also runs over plain HTTP on any host name. There the lock is a lease in
 * IndexedDB: a readwrite transaction is serialised across tabs, so "read the lease, take it if free" is
 * atomic. A tab that closes while holding it frees it when the lease runs out.
 */
export async function withCrossTabLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  if (typeof navigator.locks?.request === 'function') return navigator.locks.request(name, task);
  if (typeof indexedDB === 'undefined') return task();
  const release = await acquireLease(name).catch(() => undefined);
  try {
    return await task();
  } finally {
    await release?.();
  }
}

const LEASE_MS = 30_000;
const RETRY_MS = 100;
const STORE = 'leases';
const tabId = `${Date.now()}-${Math.random()}`;

interface Lease {
  owner: string;
  until: number;
}

let database: Promise<IDBDatabase> | undefined;
function openDatabase(): Promise<IDBDatabase> {
  database ??= new Promise((resolve, reject) => {
    const request = indexedDB.open('plaza-console-locks', 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB is not available'));
  });
  return database;
}

/** One readwrite transaction over the lease: `change` sees the current lease and answers what to store (or keep). */
async function updateLease<R>(
  name: string,
  change: (lease: Lease | undefined) => { next: Lease | null | undefined; result: R },
): Promise<R> {
  const db = await openDatabase();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    let result: R;
    const read = store.get(name);
    read.onsuccess = () => {
      const outcome = change(read.result as Lease | undefined);
      result = outcome.result;
      if (outcome.next === null) store.delete(name);
      else if (outcome.next) store.put(outcome.next, name);
    };
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** Waits until this tab holds the lease; answers how to give it back. Freed leases are announced to the other tabs. */
async function acquireLease(name: string): Promise<() => Promise<void>> {
  const channel = new BroadcastChannel(`plaza-lock:${name}`);
  try {
    for (;;) {
      const taken = await updateLease(name, (lease) =>
        lease && lease.owner !== tabId && lease.until > Date.now()
          ? { next: undefined, result: false }
          : { next: { owner: tabId, until: Date.now() + LEASE_MS }, result: true },
      );
      if (taken) break;
      // Another tab holds it: try again when it says it is done, or after a short while in case it vanished.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RETRY_MS);
        channel.onmessage = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    channel.close();
  }
  return async () => {
    await updateLease(name, (lease) => ({ next: lease?.owner === tabId ? null : undefined, result: undefined }));
    const announce = new BroadcastChannel(`plaza-lock:${name}`);
    announce.postMessage('released');
    announce.close();
  };
}
