import { AsyncLocalStorage } from 'node:async_hooks';
import { RequestContext, type EntityManager } from '@mikro-orm/core';

interface RequestSlot {
  root: EntityManager;
  /** The request's own fork, made when it first touches the database. */
  em?: EntityManager;
  /** While the fork is being made: its constructor resolves the context too, and must get itself. */
  forking?: boolean;
}

const requests = new AsyncLocalStorage<RequestSlot>();

/**
 * MikroORM's `context` option: which EntityManager `orm.em` means here. An explicit RequestContext
 * (rooms, jobs, the CLI) wins; inside an HTTP request it is the request's own fork, made on first use,
 * so a request that never queries (a kept page, a refused token) does not pay for a fork. Elsewhere
 * nothing, and `allowGlobalContext: false` refuses the global EntityManager as before.
 */
export function requestEntityManager(name: string): EntityManager | undefined {
  const explicit = RequestContext.getEntityManager(name);
  if (explicit) return explicit;
  const request = requests.getStore();
  if (!request || request.root.name !== name) return undefined;
  if (request.em || request.forking) return request.em;
  request.forking = true;
  try {
    // Forked from `root` itself: resolving the context again here would come back to this function.
    request.em = request.root.fork({ useContext: true, disableContextResolution: true });
  } finally {
    request.forking = false;
  }
  return request.em;
}

/** Runs `next` (the rest of an HTTP request) with its own EntityManager, forked from `root` when first used. */
export function withRequestEntityManager(root: EntityManager, next: () => void): void {
  requests.run({ root }, next);
}
