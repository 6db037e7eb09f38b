import { z } from 'zod';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { SupportMessage } from '../../../entities/SupportMessage.ts';
import { User } from '../../../entities/User.ts';
import { channels, type HomeEvent, type RealtimeBus } from './RealtimeBus.ts';
import { iso, supportMessageView, type Stored, type SupportMessageView } from './views.ts';
import { decodeCursor, toPage, type Page, type PageRequest } from '../shared/pagination.ts';

export interface SupportConversationView {
  user_id: number;
  username: string;
  last_message: { id: number; from_admin: boolean; text: string; created_at: string };
  count: number;
}

/** Support chat: each user has one conversation that every admin can read and answer. */
export class SupportService {
  constructor(
    private readonly em: EntityManager,
    private readonly bus: RealtimeBus,
  ) {}

  /** Stores a message in a user's conversation; a repeated client_msg_id returns the original. */
  async post(
    conversationUserId: number,
    author: { userId: number; username: string; role: string },
    text: string,
    clientMsgId?: string,
  ): Promise<Stored<SupportMessageView>> {
    const owner = await this.em.findOne(User, { id: conversationUserId }, { fields: ['id'] });
    if (!owner) throw new AppError('USER_NOT_FOUND');
    const fromAdmin = author.userId !== conversationUserId;
    if (fromAdmin && author.role !== 'admin') throw new AppError('FORBIDDEN');
    const earlier = clientMsgId
      ? await this.em.findOne(SupportMessage, { authorId: author.userId, clientMsgId })
      : null;
    if (earlier) return { view: supportMessageView(earlier), duplicate: true };
    const message = this.em.create(SupportMessage, {
      userId: conversationUserId,
      authorId: author.userId,
      authorName: author.username,
      fromAdmin,
      text,
      clientMsgId: clientMsgId ?? null,
    });
    try {
      await this.em.flush();
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException) || !clientMsgId) throw err;
      this.em.clear();
      const first = await this.em.findOneOrFail(SupportMessage, { authorId: author.userId, clientMsgId });
      return { view: supportMessageView(first), duplicate: true };
    }
    const view = supportMessageView(message);
    this.bus.publish(channels.home(conversationUserId), { kind: 'support', message: view } satisfies HomeEvent);
    this.bus.publish(channels.supportAdmins, { kind: 'support', message: view } satisfies HomeEvent);
    return { view, duplicate: false };
  }

  /** One user's support conversation, newest first. */
  async messages(conversationUserId: number, input: PageRequest): Promise<Page<SupportMessageView>> {
    const where: Record<string, unknown> = { userId: conversationUserId };
    const before = decodeCursor(input.cursor, z.tuple([z.number().int()]));
    if (before) where.id = { $lt: before[0] };
    const rows = await this.em.find(SupportMessage, where, { orderBy: { id: 'desc' }, limit: input.limit + 1 });
    return toPage(rows, input.limit, supportMessageView, (m) => [m.id]);
  }

  async conversations(): Promise<SupportConversationView[]> {
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `select distinct on (s.user_id) s.user_id, s.id, s.from_admin, s.text, s.created_at, u.username,
         (select count(*) from support_messages x where x.user_id = s.user_id) as count
       from support_messages s join users u on u.id = s.user_id order by s.user_id, s.id desc`,
    );
    return rows
      .map((r) => ({
        user_id: Number(r.user_id),
        username: String(r.username),
        count: Number(r.count),
        last_message: {
          id: Number(r.id),
          from_admin: Boolean(r.from_admin),
          text: String(r.text),
          created_at: iso(r.created_at)!,
        },
      }))
      .sort((a, b) => b.last_message.id - a.last_message.id);
  }
}
