import { defineRoom } from '@colyseus/core';
import type { Config } from '../src/config.ts';
import type { RoomDeps } from './shared/PlazaRoom.ts';
import { ChatRoom, chatOnAuth } from './chat/ChatRoom.ts';
import { HomeRoom, homeOnAuth } from './home/HomeRoom.ts';

/** Every room type Plaza serves, with its dependencies. main.ts hands the result to defineServer. */
export function roomDefinitions(deps: RoomDeps & { config: Config }) {
  const { services, logger, config } = deps;
  return {
    // realtime (issue 4): one home actor per user, one chat room per group
    home: defineRoom(class extends HomeRoom {
      static override onAuth = homeOnAuth(services);
    }, { services, logger, config } as never).filterBy(['userId']),
    chat: defineRoom(class extends ChatRoom {
      static override onAuth = chatOnAuth(services);
    }, { services, logger, config } as never).filterBy(['groupId']),
  };
}
