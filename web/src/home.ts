import type { Room } from '@colyseus/sdk';
import { joinRoom, leave } from './realtime.ts';
import { session } from './session.ts';
import { Store } from './store.ts';

/** One person I follow, as the home room's state shows them. */
export interface Friend {
  userId: number;
  username: string;
  nickname: string;
  status: 'online' | 'away' | 'offline';
  lastSeenAt: string;
}

/** A message the home room pushes (dm, notification, ai_job, ...), with its type. */
export interface HomeEvent {
  type: string;
  message: unknown;
}

/**
 * The signed-in user's `home` room, joined once for the whole page: being in it is being online, and it
 * brings DMs, notifications and AI job progress live. Pages read `friends` and listen with `onHomeEvent`.
 */
export const friends = new Store<Friend[]>([]);
export const unreadDms = new Store<number>(0);
const listeners = new Set<(event: HomeEvent) => void>();
let room: Room | undefined;
let joining = false;

export function onHomeEvent(listener: (event: HomeEvent) => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Sends a message on the home room (follow, dm, dm_read, ...); false when it is not connected. */
export function sendHome(type: string, message: unknown): boolean {
  if (!room) return false;
  room.send(type, message);
  return true;
}

interface HomeStateView {
  unreadDms: number;
  following: { forEach(cb: (friend: Friend) => void): void };
}

async function connect(): Promise<void> {
  if (room || joining) return;
  joining = true;
  try {
    room = await joinRoom('home', { status: 'online' });
    room.onStateChange((state: HomeStateView) => {
      const list: Friend[] = [];
      state.following.forEach((f) =>
        list.push({
          userId: f.userId,
          username: f.username,
          nickname: f.nickname,
          status: f.status,
          lastSeenAt: f.lastSeenAt,
        }),
      );
      friends.set(list.sort((a, b) => a.username.localeCompare(b.username)));
      unreadDms.set(state.unreadDms);
    });
    for (const type of ['dm', 'dm_sent', 'notification', 'ai_job', 'support', 'group_created', 'error'])
      room.onMessage(type, (message: unknown) => listeners.forEach((l) => l({ type, message })));
    room.onLeave(() => {
      room = undefined;
    });
  } finally {
    joining = false;
  }
}

// Online while signed in, offline when signed out.
session.subscribe((state) => {
  if (state.status === 'signedIn') void connect().catch(() => undefined);
  else {
    leave(room);
    room = undefined;
    friends.set([]);
  }
});
