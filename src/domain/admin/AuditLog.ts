import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { AdminAuditEntry } from '../../../entities/AdminAuditEntry.ts';
import { decodeCursor, toPage } from '../shared/pagination.ts';
import { escapeLike } from '../shared/like.ts';

/** Who performed an admin action: a signed-in admin, or the server CLI. */
export interface Actor {
  id: number | null;
  name: string;
}

export const CLI_ACTOR: Actor = { id: null, name: 'server-cli' };

export interface AuditRecord {
  action: string;
  targetType: string;
  targetId: string | number;
  reason?: string | null;
  detail?: Record<string, unknown>;
}

const idCursor = z.tuple([z.number().int()]);

/** The append-only admin audit log: entries are added, listed, never changed. */
export class AuditLog {
  constructor(private readonly em: EntityManager) {}

  /** Adds an entry in the given unit of work; it is written with the change it records. */
  record(em: EntityManager, actor: Actor, entry: AuditRecord): void {
    em.create(AdminAuditEntry, {
      actorId: actor.id,
      actorName: actor.name,
      action: entry.action,
      targetType: entry.targetType,
      targetId: String(entry.targetId),
      reason: entry.reason ?? null,
      detail: entry.detail ?? null,
    });
  }

  /** Newest first; `actionPrefix` selects an area (e.g. 'ssh.'), `target_id` one target. */
  async list(input: {
    action?: string;
    actionPrefix?: string;
    target_id?: string;
    actor_id?: number;
    cursor?: string;
    limit: number;
  }) {
    const before = decodeCursor(input.cursor, idCursor);
    const where: Record<string, unknown> = {};
    if (input.action) where.action = input.action;
    else if (input.actionPrefix) where.action = { $like: `${escapeLike(input.actionPrefix)}%` };
    if (input.target_id) where.targetId = input.target_id;
    if (input.actor_id) where.actorId = input.actor_id;
    if (before) where.id = { $lt: before[0] };
    const rows = await this.em.find(AdminAuditEntry, where, { orderBy: { id: 'desc' }, limit: input.limit + 1 });
    return toPage(
      rows,
      input.limit,
      (e) => ({
        id: e.id,
        actor: { id: e.actorId ?? null, name: e.actorName },
        action: e.action,
        target: { type: e.targetType, id: e.targetId },
        reason: e.reason ?? null,
        detail: e.detail ?? null,
        created_at: e.createdAt.toISOString(),
      }),
      (e) => [e.id],
    );
  }
}
