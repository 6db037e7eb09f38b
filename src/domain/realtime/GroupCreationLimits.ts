import type { EntityManager } from '@mikro-orm/sql';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../../errors/index.ts';
import { memoryStore, type LimiterStore } from '../shared/rateLimits.ts';

export interface GroupLimits {
  defaultRetention: number | null;
  /** Groups one user may own (and still be in). */
  maxGroupsPerUser: number;
  /** Groups one user may create per hour. */
  groupsPerHour: number;
}

/** How many chat groups one user may hold and how fast they may create more. */
export class GroupCreationLimits {
  private readonly creations: RateLimiterAbstract;

  constructor(
    private readonly limits: GroupLimits,
    store: LimiterStore = memoryStore,
  ) {
    this.creations = store({
      keyPrefix: 'chat-group-create',
      points: limits.groupsPerHour,
      duration: 3600,
    });
  }

  /** Refuses a new group past the cap (30019) or the hourly rate (429 with Retry-After); spends from the rate otherwise. */
  async check(em: EntityManager, userId: number): Promise<void> {
    const [row] = await em.execute<{ owned: number }[]>(
      `select count(*) as owned from chat_groups g where g.owner_id = ?
         and exists (select 1 from chat_members m where m.group_id = g.id and m.user_id = ?)`,
      [userId, userId],
    );
    if (Number(row?.owned ?? 0) >= this.limits.maxGroupsPerUser) {
      throw new AppError('TOO_MANY_GROUPS', { detail: { max_groups: this.limits.maxGroupsPerUser } });
    }
    try {
      await this.creations.consume(String(userId));
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new AppError('RATE_LIMITED', {
        message: 'You are creating chat groups too fast',
        detail: { retry_after: retryAfter },
        headers: { 'Retry-After': String(retryAfter) },
      });
    }
  }
}
