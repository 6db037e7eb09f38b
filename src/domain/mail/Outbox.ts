import type { EntityManager } from '@mikro-orm/sql';
import { OutboxEmail } from '../../../entities/OutboxEmail.ts';

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
  async list(query: { to?: string; limit: number }): Promise<OutboxEntryView[]> {
    const rows = await this.em.find(OutboxEmail, query.to ? { recipient: query.to.toLowerCase() } : {}, {
      orderBy: { id: 'desc' },
      limit: query.limit,
    });
    return rows.map((m) => ({
      id: m.id,
      to: m.recipient,
      subject: m.subject,
      transport: m.transport,
      sent_at: m.sentAt?.toISOString() ?? null,
      error: m.error ?? null,
      created_at: m.createdAt.toISOString(),
    }));
  }
}
