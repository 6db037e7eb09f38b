import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { OutboxEmail } from '../../../entities/OutboxEmail.ts';
import { decodeCursor, toPage, type Page, type PageRequest } from '../shared/pagination.ts';

/** What admins may see of a sent or pending e-mail: who, what about, how and when; never the body. */
export interface OutboxEntryView {
  id: number;
  to: string;
  subject: string;
  transport: string;
  sent_at: string | null;
  error: string | null;
  created_at: string;
}

/** The record of e-mail Plaza has sent or holds for delivery. */
export class Outbox {
  constructor(private readonly em: EntityManager) {}

  /** Newest first, optionally for one recipient. */
  async list(query: PageRequest & { to?: string }): Promise<Page<OutboxEntryView>> {
    const where: Record<string, unknown> = query.to ? { recipient: query.to.toLowerCase() } : {};
    const before = decodeCursor(query.cursor, z.tuple([z.number().int()]));
    if (before) where.id = { $lt: before[0] };
    const rows = await this.em.find(OutboxEmail, where, { orderBy: { id: 'desc' }, limit: query.limit + 1 });
    return toPage(rows, query.limit, outboxEntryView, (m) => [m.id]);
  }
}

function outboxEntryView(m: OutboxEmail): OutboxEntryView {
  return {
    id: m.id,
    to: m.recipient,
    subject: m.subject,
    transport: m.transport,
    sent_at: m.sentAt?.toISOString() ?? null,
    error: m.error ?? null,
    created_at: m.createdAt.toISOString(),
  };
}
