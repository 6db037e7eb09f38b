import type { EntityManager } from '@mikro-orm/sql';
import type { Logger } from 'pino';
import { AppError } from '../../errors/index.ts';
import { User } from '../../../entities/User.ts';
import { UnreadablePasswordHashError, verifyPassword } from './passwords.ts';

/** Checks a user's password: at sign-in, and again before actions that need the owner present. */
export class PasswordCheck {
  constructor(private readonly logger: Logger) {}

  /** A damaged stored hash is logged for the operator and matches nothing. */
  async matches(user: User, password: string): Promise<boolean> {
    try {
      return await verifyPassword(user.passwordHash, password);
    } catch (err) {
      if (!(err instanceof UnreadablePasswordHashError)) throw err;
      this.logger.error(
        { user_id: user.id, err: err.cause },
        'stored password hash is unreadable: reset this password (npm run cli or the reset mail)',
      );
      return false;
    }
  }

  /** The signed-in user, when `password` is theirs: WRONG_PASSWORD otherwise (re-authentication). */
  async confirm(em: EntityManager, userId: number, password: string): Promise<User> {
    const user = await em.findOneOrFail(User, { id: userId }, { populate: ['passwordHash'] });
    if (!(await this.matches(user, password))) throw new AppError('WRONG_PASSWORD');
    return user;
  }
}
