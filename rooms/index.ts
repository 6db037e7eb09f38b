import { defineRoom } from '@colyseus/core';
import type { RoomDeps } from './shared/PlazaRoom.ts';

/** Every room type Plaza serves, with its dependencies. main.ts hands the result to defineServer. */
export function roomDefinitions(_deps: RoomDeps) {
  return {} satisfies Record<string, ReturnType<typeof defineRoom>>;
}
