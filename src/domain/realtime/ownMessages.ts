import { AppError } from '../../errors/index.ts';

/** What an author may do to a message already sent: change its text, or delete it. */
export type MessageChange = { text: string } | { deleted: true };

/** The fields a changeable message has, in a group or a DM. */
export interface ChangeableMessage {
  text: string;
  editedAt?: Date | null;
  deletedAt?: Date | null;
}

/**
 * The one rule for editing and deleting sent messages, group and DM alike: the message must exist and
 * not be deleted already (MESSAGE_NOT_FOUND), and only its author changes it (NOT_MESSAGE_AUTHOR).
 * A deletion keeps the row, so histories show the message as deleted in its place; the caller flushes.
 */
export function applyOwnChange<M extends ChangeableMessage>(
  message: M | null,
  authorOf: (m: M) => number | null | undefined,
  userId: number,
  change: MessageChange,
): M {
  if (!message || message.deletedAt) throw new AppError('MESSAGE_NOT_FOUND');
  if (authorOf(message) !== userId) throw new AppError('NOT_MESSAGE_AUTHOR');
  if ('text' in change) {
    message.text = change.text;
    message.editedAt = new Date();
  } else {
    message.deletedAt = new Date();
  }
  return message;
}
