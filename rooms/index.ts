import { defineRoom } from '@colyseus/core';
import { authenticateWith, type RoomDeps } from './shared/PlazaRoom.ts';
import { SshRoom } from './ssh/SshRoom.ts';

/** Every room type Plaza serves, with its dependencies. main.ts hands the result to defineServer. */
export function roomDefinitions(deps: RoomDeps) {
  return {
    ssh: defineRoom(class extends SshRoom { static override onAuth = authenticateWith(deps.services, 'operator'); }, deps),
  };
}
