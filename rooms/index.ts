import { defineRoom } from '@colyseus/core';
import type { Config } from '../src/config.ts';
import { authenticateWith, type RoomDeps } from './shared/PlazaRoom.ts';
import { ChatRoom, chatOnAuth } from './chat/ChatRoom.ts';
import { HomeRoom, homeOnAuth } from './home/HomeRoom.ts';
import { SshRoom } from './ssh/SshRoom.ts';

/** Every room type Plaza serves, with its dependencies. main.ts hands the result to defineServer. */
export function roomDefinitions(deps: RoomDeps & { config: Config }) {
  const { services } = deps;
  // Colyseus types a room's default options as its whole onCreate argument; for home and chat the join
  // itself supplies the rest (userId, groupId), hence the casts of the shared dependencies below.
  return {
    // One home actor per user (all their devices), one chat room per group.
    home: defineRoom(class extends HomeRoom {
      static override onAuth = homeOnAuth(services);
    }, deps as never).filterBy(['userId']),
    chat: defineRoom(class extends ChatRoom {
      static override onAuth = chatOnAuth(services);
    }, deps as never).filterBy(['groupId']),
    // The exclusive SSH control room: operators and admins only.
    ssh: defineRoom(class extends SshRoom {
      static override onAuth = authenticateWith(services, 'operator');
    }, deps),
  };
}
