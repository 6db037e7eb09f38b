import crypto from 'node:crypto';
import { RequestContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import type { Logger } from 'pino';
import { AppError, toAppError } from '../../../errors/index.ts';
import type { Author } from '../chatStore.ts';
import type { ChatService } from '../ChatService.ts';
import type { DirectMessageService } from '../DirectMessageService.ts';
import type { BlockList } from '../BlockList.ts';
import { channels, type GroupEvent, type HomeEvent, type RealtimeBus } from '../RealtimeBus.ts';
import type { ChatMessageView, DmView, Stored } from '../views.ts';
import {
  pendingChatView,
  pendingDmView,
  type PendingChatMessageView,
  type PendingDmView,
  type SpooledMessage,
  type SpoolLog,
} from './spooledMessages.ts';

export interface SpoolLimits {
  /** The spool refuses new messages (30030) once its file holds this many bytes. */
  maxBytes: number;
  /** ... or once its oldest message has waited this long: the outage has outlasted what may be held. */
  maxAgeMs: number;
}

type GroupInput = {
  kind: 'msg' | 'room_dm';
  text: string;
  toUserId?: number;
  clientMsgId?: string;
  fileIds?: number[];
};

/**
 * The one way group messages and DMs are stored, so chat goes on while the database is away. Normally a
 * message is stored at once. While the database is unavailable — or while anything is still waiting
 * in the spool, so that order is kept — it is appended to the spool (fsynced) and comes back as a
 * pending view (`pending: true`, no id, no seq) for the room to deliver live. When the database answers
 * again the spool is stored in order, each message once (its client_msg_id), and a `stored` event
 * carries the stored view to the rooms. A process killed meanwhile replays its spool when it starts.
 */
export class MessageSpool {
  private pending: { message: SpooledMessage; durable: Promise<void> }[] = [];
  private draining?: Promise<void>;

  constructor(
    private readonly deps: {
      em: EntityManager;
      log: SpoolLog;
      chat: ChatService;
      dms: DirectMessageService;
      /** Blocks as this process knows them: a DM is checked against them before it is spooled. */
      blocks: Pick<BlockList, 'blocks'>;
      bus: RealtimeBus;
      logger: Logger;
      /** True while the database watch sees an outage. */
      databaseDown: () => boolean;
    },
    private readonly limits: SpoolLimits,
  ) {}

  /** Reads what a previous process left (replayed by the next `drain`). */
  async open(): Promise<number> {
    const left = await this.deps.log.open();
    this.pending = [...left.map((message) => ({ message, durable: Promise.resolve() })), ...this.pending];
    if (left.length) this.deps.logger.warn({ messages: left.length }, 'the message spool holds messages to store');
    return left.length;
  }

  /** Messages waiting to be stored. */
  get size(): number {
    return this.pending.length;
  }

  /**
   * A group message from a member. `isMember` answers from what the room last read from the database:
   * it is what checks the author and a room_dm's recipient while the database cannot.
   */
  async postToGroup(
    groupId: number,
    author: Author,
    input: GroupInput,
    isMember: (userId: number) => boolean,
  ): Promise<Stored<ChatMessageView | PendingChatMessageView>> {
    if (!this.spooling()) {
      try {
        return await this.deps.chat.post(groupId, author, input);
      } catch (err) {
        if (!unavailable(err)) throw err;
      }
    }
    refuseAttachments(input.fileIds);
    if (!isMember(author.userId)) throw new AppError('NOT_GROUP_MEMBER');
    if (input.kind === 'room_dm') {
      if (input.toUserId === author.userId) throw new AppError('CANNOT_TARGET_SELF');
      if (!input.toUserId || !isMember(input.toUserId)) throw new AppError('RECIPIENT_NOT_IN_GROUP');
    }
    const message = await this.add({
      ...this.stamp(input.clientMsgId),
      target: 'group',
      groupId,
      author,
      kind: input.kind,
      text: input.text,
      ...(input.toUserId ? { toUserId: input.toUserId } : {}),
    });
    if (message.target !== 'group') throw new Error('unreachable');
    return { view: pendingChatView(message), duplicate: false };
  }

  /**
   * Several plain group messages (`msg`, no files) in arrival order, stored in one statement (see
   * ChatService.postMany); one outcome per message, in the same order. While the database is away each
   * goes through `postToGroup` (spooled, in order); so does each the batch could not store because the
   * database went away.
   */
  async postManyToGroup(
    groupId: number,
    messages: { author: Author; text: string; clientMsgId?: string }[],
    isMember: (userId: number) => boolean,
  ): Promise<(Stored<ChatMessageView | PendingChatMessageView> | Error)[]> {
    let outcomes: (Stored<ChatMessageView | PendingChatMessageView> | Error)[] | undefined;
    if (!this.spooling()) {
      try {
        outcomes = await this.deps.chat.postMany(groupId, messages);
      } catch (err) {
        if (!unavailable(err)) throw err;
      }
    }
    const results: (Stored<ChatMessageView | PendingChatMessageView> | Error)[] = [];
    for (const [i, m] of messages.entries()) {
      const outcome = outcomes?.[i];
      if (outcome && !(outcome instanceof Error && unavailable(outcome))) {
        results.push(outcome);
        continue;
      }
      try {
        results.push(
          await this.postToGroup(
            groupId,
            m.author,
            { kind: 'msg', text: m.text, clientMsgId: m.clientMsgId },
            isMember,
          ),
        );
      } catch (err) {
        results.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
    return results;
  }

  /**
   * A DM. While spooled it goes live to both users' homes as pending. Blocks are checked first, from the
   * block list this process holds (see BlockList): a blocked sender is refused at once (30006), and
   * where the list is unknown (several processes) the DM waits for the database (30014). The recipient's
   * existence is checked when it is stored (a refusal then reaches the sender as an `error`).
   */
  async sendDm(
    from: Author,
    toUserId: number,
    text: string,
    clientMsgId?: string,
    fileIds: number[] = [],
  ): Promise<Stored<DmView | PendingDmView>> {
    if (!this.spooling()) {
      try {
        return await this.deps.dms.send(from, toUserId, text, clientMsgId, fileIds);
      } catch (err) {
        if (!unavailable(err)) throw err;
      }
    }
    refuseAttachments(fileIds);
    if (toUserId === from.userId) throw new AppError('CANNOT_TARGET_SELF');
    const blocked = this.deps.blocks.blocks(toUserId, from.userId);
    if (blocked === undefined)
      throw new AppError('MESSAGE_STORE_UNAVAILABLE', {
        detail: { retryable: true, reason: 'blocks are checked by the database (several processes)' },
      });
    if (blocked) throw new AppError('RECIPIENT_BLOCKS_YOU');
    const message = await this.add({ ...this.stamp(clientMsgId), target: 'dm', author: from, toUserId, text });
    if (message.target !== 'dm') throw new Error('unreachable');
    const view = pendingDmView(message);
    this.deps.bus.publish(channels.home(toUserId), { kind: 'dm', message: view } satisfies HomeEvent);
    this.deps.bus.publish(channels.home(from.userId), { kind: 'dm', message: view } satisfies HomeEvent);
    return { view, duplicate: false };
  }

  /** Stores what waits, in order; stops at the first sign the database is away (the next call goes on). */
  drain(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    this.draining ??= this.drainAll().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** Waits for a drain under way (at shutdown). */
  async stop(): Promise<void> {
    await this.draining;
  }

  private spooling(): boolean {
    return this.pending.length > 0 || this.deps.databaseDown();
  }

  private stamp(clientMsgId: string | undefined) {
    return { id: crypto.randomUUID(), at: new Date().toISOString(), clientMsgId: clientMsgId ?? crypto.randomUUID() };
  }

  private async add(message: SpooledMessage): Promise<SpooledMessage> {
    const oldest = this.pending[0]?.message;
    if (
      this.deps.log.bytes() >= this.limits.maxBytes ||
      (oldest && Date.now() - Date.parse(oldest.at) > this.limits.maxAgeMs)
    ) {
      throw new AppError('MESSAGE_SPOOL_FULL', { detail: { retryable: true, pending: this.pending.length } });
    }
    // In the queue before it is on disk, so a drain finishing meanwhile never empties the file under it.
    const entry = { message, durable: this.deps.log.append(message) };
    this.pending.push(entry);
    try {
      await entry.durable;
    } catch (err) {
      this.pending.splice(this.pending.indexOf(entry), 1);
      throw err;
    }
    return message;
  }

  private async drainAll(): Promise<void> {
    let stored = 0;
    while (this.pending.length > 0) {
      const { message, durable } = this.pending[0];
      try {
        await durable;
        await RequestContext.create(this.deps.em, () => this.store(message));
      } catch (err) {
        if (unavailable(err)) {
          this.deps.logger.warn({ stored, waiting: this.pending.length }, 'the message spool waits for the database');
          return;
        }
        this.reject(message, err);
      }
      await this.deps.log.markStored(message.id);
      this.pending.shift();
      stored++;
    }
    await this.deps.log.clear();
    this.deps.logger.warn({ stored }, 'the message spool is stored and empty');
  }

  private async store(message: SpooledMessage): Promise<void> {
    if (message.target === 'group') {
      const { view } = await this.deps.chat.post(message.groupId, message.author, {
        kind: message.kind,
        text: message.text,
        toUserId: message.toUserId,
        clientMsgId: message.clientMsgId,
        acceptedAt: new Date(message.at),
      });
      this.deps.bus.publish(channels.group(message.groupId), { kind: 'stored', message: view } satisfies GroupEvent);
    } else {
      // The service announces the stored DM to both homes (with its id: the recipient's home marks it delivered).
      const { view } = await this.deps.dms.send(
        message.author,
        message.toUserId,
        message.text,
        message.clientMsgId,
        [],
        new Date(message.at),
      );
      this.deps.bus.publish(channels.home(message.author.userId), {
        kind: 'dm_stored',
        message: view,
      } satisfies HomeEvent);
    }
  }

  /** A spooled message the database refuses (the author left the group, the recipient blocks them): the sender hears why. */
  private reject(message: SpooledMessage, err: unknown): void {
    const { error } = toAppError(err);
    this.deps.logger.warn({ err, client_msg_id: message.clientMsgId }, 'a spooled message was refused when stored');
    this.deps.bus.publish(channels.home(message.author.userId), {
      kind: 'spool_refused',
      error_code: error.code,
      message: error.message,
      detail: {
        type: message.target === 'dm' ? 'dm' : message.kind,
        client_msg_id: message.clientMsgId,
        ...(message.target === 'group' ? { group_id: message.groupId } : { to: message.toUserId }),
      },
    } satisfies HomeEvent);
  }
}

function unavailable(err: unknown): boolean {
  return toAppError(err).error.key === 'SERVICE_UNAVAILABLE';
}

/**
 * Who may read an attachment is decided by the database (the file's owner, the conversation's members),
 * so a message carrying files is not held while it is away: the sender is told to retry.
 */
function refuseAttachments(fileIds: number[] | undefined): void {
  if (fileIds?.length)
    throw new AppError('MESSAGE_STORE_UNAVAILABLE', { detail: { reason: 'attachments wait for the database' } });
}
