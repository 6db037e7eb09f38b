import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { StoredFile } from '../../../entities/StoredFile.ts';

/** Most files one message carries. */
export const MESSAGE_FILES_MAX = 10;

/** Which message the files go to: a group message or a DM. */
export type MessageRef = { chatMessageId: number } | { directMessageId: number };

const unattached = { post: null, comment: null, chatMessageId: null, directMessageId: null };

/**
 * Checks, before a message is stored, that it may carry these files: each one the sender's own
 * (anyone else's file, or none, is FILE_NOT_FOUND: an id reveals nothing) and not attached anywhere
 * yet (FILE_ALREADY_ATTACHED). Who then reads them is FileAccess's rule: the conversation's members.
 */
export async function checkAttachable(em: EntityManager, ownerId: number, fileIds: number[]): Promise<void> {
  if (fileIds.length === 0) return;
  const ids = [...new Set(fileIds)];
  const files = await em.find(StoredFile, { id: { $in: ids }, owner: ownerId });
  if (files.length !== ids.length) throw new AppError('FILE_NOT_FOUND');
  const taken = files.filter((f) => f.post || f.comment || f.chatMessageId || f.directMessageId);
  if (taken.length) throw new AppError('FILE_ALREADY_ATTACHED', { detail: { file_ids: taken.map((f) => f.id) } });
}

/** Attaches the (checked) files to the stored message; returns the ids attached, in the order given. */
export async function attachToMessage(
  em: EntityManager,
  ownerId: number,
  fileIds: number[],
  message: MessageRef,
): Promise<number[]> {
  const ids = [...new Set(fileIds)];
  if (ids.length === 0) return [];
  await em.nativeUpdate(StoredFile, { id: { $in: ids }, owner: ownerId, ...unattached }, message);
  const attached = await em.find(StoredFile, { id: { $in: ids }, ...message }, { fields: ['id'] });
  const found = new Set(attached.map((f) => f.id));
  return ids.filter((id) => found.has(id));
}

/** The attachment ids of the given messages, by message id, for views. */
export async function attachmentIds(
  em: EntityManager,
  of: { chatMessageIds: number[] } | { directMessageIds: number[] },
): Promise<Map<number, number[]>> {
  const byMessage = new Map<number, number[]>();
  const [key, ids] =
    'chatMessageIds' in of
      ? (['chatMessageId', of.chatMessageIds] as const)
      : (['directMessageId', of.directMessageIds] as const);
  if (ids.length === 0) return byMessage;
  const files = await em.find(StoredFile, { [key]: { $in: ids } }, { fields: ['id', key], orderBy: { id: 'asc' } });
  for (const file of files) {
    const messageId = file[key]!;
    byMessage.set(messageId, [...(byMessage.get(messageId) ?? []), file.id]);
  }
  return byMessage;
}
