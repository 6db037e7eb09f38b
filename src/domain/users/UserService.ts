import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { User } from '../../../entities/User.ts';
import { decodeCursor, toPage, type Page } from '../shared/pagination.ts';
import { escapeLike } from '../shared/like.ts';
import { avatarCandidate } from '../files/FileAccess.ts';
import { z } from 'zod';
import { privateUser, publicUser, type PublicUser } from './userViews.ts';

const idCursor = z.tuple([z.number().int()]);

/** Profiles: reading and editing one's own, reading and searching others'. */
export class UserService {
  constructor(
    private readonly em: EntityManager,
    /** Told after a profile changed (pages of posts show their authors' names and avatars). */
    private readonly profileChanged: (userId: number) => void = () => {},
  ) {}

  async updateProfile(userId: number, changes: { nickname?: string; bio?: string; avatar_file_id?: number | null }) {
    const user = await this.em.findOneOrFail(User, { id: userId });
    if (changes.nickname !== undefined) user.nickname = changes.nickname;
    if (changes.bio !== undefined) user.bio = changes.bio;
    if (changes.avatar_file_id !== undefined) {
      user.avatarFile =
        changes.avatar_file_id === null ? null : await avatarCandidate(this.em, userId, changes.avatar_file_id);
    }
    await this.em.flush();
    this.profileChanged(userId);
    return privateUser(user);
  }

  async getPublic(userId: number): Promise<PublicUser> {
    const user = await this.em.findOne(User, { id: userId });
    if (!user) throw new AppError('USER_NOT_FOUND');
    return publicUser(user);
  }

  /** Active users whose username or nickname contains `q`, in id order (keyset pagination). */
  async search(input: { q?: string; cursor?: string; limit: number }): Promise<Page<PublicUser>> {
    const after = decodeCursor(input.cursor, idCursor);
    const where: Record<string, unknown> = { status: 'active' };
    if (input.q) {
      const like = `%${escapeLike(input.q)}%`;
      where.$or = [{ username: { $ilike: like } }, { nickname: { $ilike: like } }];
    }
    if (after) where.id = { $gt: after[0] };
    const rows = await this.em.find(User, where, { orderBy: { id: 'asc' }, limit: input.limit + 1 });
    return toPage(rows, input.limit, publicUser, (u) => [u.id]);
  }
}
