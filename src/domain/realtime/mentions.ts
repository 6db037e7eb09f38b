import type { EntityManager } from '@mikro-orm/sql';
import type { Author } from './chatStore.ts';
import type { NotificationService } from './NotificationService.ts';
import type { ChatMessageView } from './views.ts';

/** `@username` as usernames are written (3-32 letters, digits, dots, dashes, underscores), not inside an e-mail address. */
const MENTION = /(?<![\w.@-])@([A-Za-z0-9._-]{3,32})/g;
/** Most members one message notifies. */
const MENTIONS_MAX = 20;
const PREVIEW_CHARS = 100;

/** The usernames a text mentions, lower-case (as usernames are stored), each once. */
export function mentionedUsernames(text: string): string[] {
  const names = [...text.matchAll(MENTION)].map((m) => m[1].replace(/[.-]+$/, '').toLowerCase());
  return [...new Set(names)].slice(0, MENTIONS_MAX);
}

/**
 * Tells each member of the group a public message mentions (`@username`) with a stored `mention`
 * notification, live to their home. Non-members and the author themselves are not told.
 */
export async function notifyMentions(
  em: EntityManager,
  notifications: NotificationService,
  author: Author,
  message: ChatMessageView,
): Promise<void> {
  if (message.kind !== 'msg') return;
  const names = mentionedUsernames(message.text);
  if (names.length === 0) return;
  const rows = await em.execute<{ id: number; name: string }[]>(
    `select u.id, g.name from users u
       join chat_members m on m.user_id = u.id and m.group_id = ?
       join chat_groups g on g.id = m.group_id
     where u.username in (${names.map(() => '?').join(', ')}) and u.id <> ?`,
    [message.group_id, ...names, author.userId],
  );
  const preview = message.text.length > PREVIEW_CHARS ? `${message.text.slice(0, PREVIEW_CHARS)}…` : message.text;
  for (const row of rows)
    await notifications.notify(Number(row.id), {
      type: 'mention',
      text: `${author.username} mentioned you in ${row.name}: ${preview}`,
      fromUserId: author.userId,
      groupId: message.group_id,
    });
}
