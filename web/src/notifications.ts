import { api, ok, type Schema } from './api.ts';
import { onHomeEvent } from './home.ts';
import { session } from './session.ts';
import { Store } from './store.ts';

export type Notification = Schema<'Notification'>;

/**
 * How many of my notifications are unread, for the navigation's badge: the unread ones listed when I sign
 * in, plus those the home room brings live, minus those marked read here.
 */
export const unreadNotifications = new Store<number>(0);
const unread = new Set<number>();
const publish = () => unreadNotifications.set(unread.size);

/** Notifications as the home room pushes them, for the page that lists them. */
export const arrivals = new Store<Notification | undefined>(undefined);

onHomeEvent(({ type, message }) => {
  if (type !== 'notification') return;
  const notification = message as Notification;
  if (!notification.read) unread.add(notification.id);
  publish();
  arrivals.set(notification);
});

// Counted again for each person who signs in (not when my own profile is merely re-read).
let countedFor: number | undefined;
session.subscribe((state) => {
  const userId = state.status === 'signedIn' ? state.me.id : undefined;
  if (userId === countedFor) return;
  countedFor = userId;
  unread.clear();
  publish();
  if (userId === undefined) return;
  ok(api.GET('/notifications', { params: { query: { unread: 'true', limit: 100 } } }))
    .then((page) => {
      page.items.forEach((n) => unread.add(n.id));
      publish();
    })
    .catch(() => undefined);
});

/** Marks some of my notifications read, or all of them (`ids` absent). */
export async function markRead(ids?: number[]): Promise<void> {
  await ok(api.POST('/notifications/read', { body: ids ? { ids } : { all: true } }));
  if (ids) ids.forEach((id) => unread.delete(id));
  else unread.clear();
  publish();
}
