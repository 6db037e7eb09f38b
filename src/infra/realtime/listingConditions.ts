import type { IRoomCache } from '@colyseus/core';

/**
 * Whether a room listing meets matchmaking conditions, as Colyseus' drivers decide it: each condition
 * equals (`===`) the listing's own field, else its metadata's; a field in neither does not match.
 */
export function meetsConditions(listing: IRoomCache, conditions: Record<string, unknown>): boolean {
  const own = listing as unknown as Record<string, unknown>;
  const metadata = listing.metadata as Record<string, unknown> | undefined;
  for (const [field, value] of Object.entries(conditions)) {
    if (Object.hasOwn(own, field)) {
      if (own[field] !== value) return false;
    } else if (metadata && Object.hasOwn(metadata, field)) {
      if (metadata[field] !== value) return false;
    } else return false;
  }
  return true;
}
