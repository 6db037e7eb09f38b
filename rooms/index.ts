import { defineRoom } from '@colyseus/core';
import type { Logger } from 'pino';
import type { Config } from '../src/config.ts';
import type { Services } from '../src/services.ts';
import type { PlazaMetrics } from '../src/metrics/PlazaMetrics.ts';
import { authenticateWith } from './shared/roomAuth.ts';
import type { RoomSettings } from './shared/PlazaRoom.ts';
import { ChatRoom, chatOnAuth } from './chat/ChatRoom.ts';
import { HomeRoom, homeOnAuth } from './home/HomeRoom.ts';
import { SshRoom } from './ssh/SshRoom.ts';
import { roomIds } from '../src/domain/realtime/RealtimeBus.ts';

/**
 * The room types with one room per actor, and the id a room must have for the `filterBy` value that names
 * it (HomeRoom and ChatRoom take these ids): the shared room-listing driver looks such a room up by id
 * instead of reading every listing. Undefined: the conditions name no actor; the driver searches.
 */
export const fixedRoomIds = {
  home: ({ userId }: Record<string, unknown>) => (typeof userId === 'number' ? roomIds.home(userId) : undefined),
  chat: ({ groupId }: Record<string, unknown>) => (typeof groupId === 'number' ? roomIds.chat(groupId) : undefined),
};

/** The settings every room shares, including the one per-user rate budget across all rooms (and processes). */
export function roomSettings(
  config: Config,
  limiters: Services['limiters'],
  metrics: PlazaMetrics,
  clientAddress: RoomSettings['clientAddress'],
): RoomSettings {
  return {
    maxMessagesPerSecond: config.ROOM_MAX_MESSAGES_PER_SECOND,
    reconnectGraceSeconds: config.RECONNECT_GRACE,
    maxConnectionsPerUser: config.ROOM_MAX_CONNECTIONS_PER_USER,
    maxBufferedBytes: config.ROOM_MAX_BUFFERED_BYTES,
    storeTimeoutMs: config.CHAT_STORE_TIMEOUT_MS,
    limiter: limiters({ keyPrefix: 'room-send', points: config.CHAT_RATE_PER_SECOND * 2, duration: 2 }),
    metrics,
    clientAddress,
  };
}

/** Every room type Plaza serves, each with only the services it uses. main.ts hands the result to defineServer. */
export function roomDefinitions({
  services,
  logger,
  config,
  clientAddress,
}: {
  services: Services;
  logger: Logger;
  config: Config;
  clientAddress: RoomSettings['clientAddress'];
}) {
  const base = { logger, settings: roomSettings(config, services.limiters, services.metrics, clientAddress) };
  const { orm, tokens, chat, groups, dms, spool, social, statuses, notifications, homeOpenings, ssh } = services;
  return {
    // One home actor per user (all their devices), one chat room per group; both have fixed room ids.
    home: defineRoom(
      class extends HomeRoom {
        static override onAuth = homeOnAuth({ orm, tokens });
      },
      {
        ...base,
        services: { orm, dms, spool, social, groups, statuses, notifications, homeOpenings },
        presenceGraceSeconds: config.PRESENCE_GRACE,
      },
    ).filterBy(['userId']),
    chat: defineRoom(
      class extends ChatRoom {
        static override onAuth = chatOnAuth({ orm, tokens, groups });
      },
      {
        ...base,
        services: { orm, chat, groups, spool },
        window: config.CHAT_WINDOW,
        stateMembersMax: config.CHAT_STATE_MEMBERS_MAX,
      },
    ).filterBy(['groupId']),
    // The exclusive SSH control room: operators and admins only.
    ssh: defineRoom(
      class extends SshRoom {
        static override onAuth = authenticateWith({ orm, tokens }, 'operator');
      },
      { ...base, services: { orm, ssh } },
    ),
  };
}
