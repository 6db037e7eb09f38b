import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { AppError } from '../../errors/index.ts';
import { SavedQuery, type SavedChart } from '../../../entities/SavedQuery.ts';
import { decodeCursor, toPage, type PageRequest } from '../shared/pagination.ts';
import type { Actor, AuditLog } from './AuditLog.ts';
import { singleReadStatement } from './DatabaseConsole.ts';

export interface SavedQueryInput {
  name: string;
  sql: string;
  chart?: SavedChart | null;
}

const nameCursor = z.tuple([z.string(), z.number().int()]);

/**
 * The database explorer's saved queries: each admin's own named statements (and the chart drawn of
 * them), listed by name. Another admin's query is not found. Only statements the console would run
 * are kept; changes are written together with their audit entry.
 */
export class SavedQueries {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditLog,
  ) {}

  async list(owner: Actor, page: PageRequest) {
    const after = decodeCursor(page.cursor, nameCursor);
    const where: Record<string, unknown> = { owner: ownerId(owner) };
    if (after) where.$or = [{ name: { $gt: after[0] } }, { name: after[0], id: { $gt: after[1] } }];
    const rows = await this.em.fork().find(SavedQuery, where, {
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      limit: page.limit + 1,
    });
    return toPage(rows, page.limit, savedQueryView, (q) => [q.name, q.id]);
  }

  async get(owner: Actor, id: number) {
    return savedQueryView(await this.find(this.em.fork(), owner, id));
  }

  async create(owner: Actor, input: SavedQueryInput) {
    const saved = await this.inTransaction(async (em) => {
      const query = em.create(SavedQuery, {
        owner: ownerId(owner),
        name: input.name,
        sql: singleReadStatement(input.sql),
        chart: input.chart ?? null,
      });
      await em.flush();
      this.recordChange(em, owner, 'create', query);
      return query;
    });
    return savedQueryView(saved);
  }

  async update(owner: Actor, id: number, changes: Partial<SavedQueryInput>) {
    const saved = await this.inTransaction(async (em) => {
      const query = await this.find(em, owner, id);
      if (changes.name !== undefined) query.name = changes.name;
      if (changes.sql !== undefined) query.sql = singleReadStatement(changes.sql);
      if (changes.chart !== undefined) query.chart = changes.chart;
      this.recordChange(em, owner, 'update', query);
      return query;
    });
    return savedQueryView(saved);
  }

  async delete(owner: Actor, id: number): Promise<void> {
    await this.em.transactional(async (em) => {
      const query = await this.find(em, owner, id);
      this.recordChange(em, owner, 'delete', query);
      em.remove(query);
    });
  }

  private async find(em: EntityManager, owner: Actor, id: number): Promise<SavedQuery> {
    const query = await em.findOne(SavedQuery, { id, owner: ownerId(owner) });
    if (!query) throw new AppError('SAVED_QUERY_NOT_FOUND');
    return query;
  }

  private recordChange(em: EntityManager, actor: Actor, change: string, query: SavedQuery): void {
    this.audit.record(em, actor, {
      action: `db.saved_query.${change}`,
      targetType: 'saved_query',
      targetId: query.id,
      detail: { name: query.name, sql: query.sql.slice(0, 2000) },
    });
  }

  private async inTransaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.em.transactional(work);
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new AppError('SAVED_QUERY_NAME_TAKEN');
      throw err;
    }
  }
}

/** Saved queries belong to a signed-in admin; the server CLI has none. */
function ownerId(owner: Actor): number {
  if (owner.id === null) throw new AppError('FORBIDDEN');
  return owner.id;
}

function savedQueryView(q: SavedQuery) {
  return {
    id: q.id,
    name: q.name,
    sql: q.sql,
    chart: q.chart ?? null,
    created_at: q.createdAt.toISOString(),
    updated_at: q.updatedAt.toISOString(),
  };
}
