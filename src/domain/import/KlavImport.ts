import type { EntityManager } from '@mikro-orm/sql';
import { ChatGroup } from '../../../entities/ChatGroup.ts';
import { ChatMember } from '../../../entities/ChatMember.ts';
import { ChatMessage, type ChatMessageKind } from '../../../entities/ChatMessage.ts';
import { Follow } from '../../../entities/Follow.ts';
import { ImportRecord } from '../../../entities/ImportRecord.ts';
import { User } from '../../../entities/User.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { KlavData, KlavRoom, KlavUser, Problem } from './klavRecords.ts';

const SOURCE = 'klav';
/** An address nobody can receive mail at (RFC 2606), for Klav accounts that never gave one. */
const NO_EMAIL_DOMAIN = 'klav.invalid';
const PREVIEW_CHARS = 200;

export interface Tally {
  /** Created by this run (or, with dry run, that would be). */
  created: number;
  /** Brought in by an earlier run, or already there: left unchanged. */
  unchanged: number;
}

export interface KlavImportReport {
  dryRun: boolean;
  users: Tally;
  groups: Tally;
  /** Members and messages of the groups created (or that would be). */
  members: number;
  messages: number;
  follows: Tally;
  problems: Problem[];
}

/** A user id a dry run pretends to have created: enough to count what depends on the user. */
const WOULD_CREATE = -1;

/**
 * Writes Klav's users, rooms (as private groups with their members and whole history, original times,
 * Klav's order) and follows. Every user and every room is one transaction together with its import
 * record, so a run that stops halfway is finished by the next one and nothing is created twice.
 * Klav's plain-text passwords are stored only as argon2id hashes: users sign in as before.
 */
export class KlavImport {
  constructor(private readonly em: EntityManager) {}

  async run(data: KlavData, options: { dryRun: boolean }): Promise<KlavImportReport> {
    const report: KlavImportReport = {
      dryRun: options.dryRun,
      users: { created: 0, unchanged: 0 },
      groups: { created: 0, unchanged: 0 },
      members: 0,
      messages: 0,
      follows: { created: 0, unchanged: 0 },
      problems: [...data.problems],
    };
    const userIds = await this.importUsers(data.users, report);
    await this.importRooms(data.rooms, userIds, report);
    await this.importFollows(data, userIds, report);
    return report;
  }

  private async importUsers(users: KlavUser[], report: KlavImportReport): Promise<Map<string, number>> {
    const ids = await this.records('user');
    for (const user of users) {
      if (ids.has(user.username)) {
        report.users.unchanged++;
        continue;
      }
      const taken = await this.em.count(User, { $or: [{ username: user.username }, { heldUsername: user.username }] });
      if (taken) {
        report.problems.push({
          at: user.at,
          message: `username "${user.username}" is already used in Plaza; not imported`,
        });
        continue;
      }
      report.users.created++;
      ids.set(user.username, report.dryRun ? WOULD_CREATE : await this.createUser(user));
    }
    return ids;
  }

  private async createUser(user: KlavUser): Promise<number> {
    const emailFree = user.email !== null && (await this.em.count(User, { email: user.email })) === 0;
    const passwordHash = await hashPassword(user.password);
    return this.em.transactional(async (em) => {
      const created = em.create(User, {
        username: user.username,
        email: emailFree ? user.email! : `${user.username}@${NO_EMAIL_DOMAIN}`,
        passwordHash,
        nickname: user.nickname,
        // The operator vouches for imported accounts, as for accounts an admin creates.
        emailVerifiedAt: new Date(),
        ...(user.createdAt ? { createdAt: user.createdAt } : {}),
      });
      await em.flush();
      em.create(ImportRecord, { source: SOURCE, kind: 'user', sourceKey: user.username, targetId: created.id });
      return created.id;
    });
  }

  private async importRooms(rooms: KlavRoom[], userIds: Map<string, number>, report: KlavImportReport): Promise<void> {
    const groups = await this.records('group');
    for (const room of rooms) {
      if (groups.has(room.key)) {
        report.groups.unchanged++;
        continue;
      }
      const members = room.members.filter((name) => {
        if (userIds.has(name)) return true;
        report.problems.push({ at: `${room.at}.members`, message: `member "${name}" was not imported; left out` });
        return false;
      });
      if (members.length === 0) {
        report.problems.push({ at: room.at, message: 'no member of this room was imported; room not imported' });
        continue;
      }
      const logs = room.logs.filter((log) => {
        const missing = [log.from, log.to].find((name) => name !== null && !userIds.has(name));
        if (missing)
          report.problems.push({ at: log.at, message: `user "${missing}" was not imported; message left out` });
        return !missing;
      });
      report.groups.created++;
      report.members += members.length;
      report.messages += logs.length;
      if (!report.dryRun) await this.createGroup({ ...room, members, logs }, userIds);
    }
  }

  /** The group, its members and its messages in order: ids grow in Klav's order and `seq` counts public ones. */
  private async createGroup(room: KlavRoom, userIds: Map<string, number>): Promise<void> {
    const createdAt = room.createdAt ?? room.logs[0]?.ts ?? new Date();
    await this.em.transactional(async (em) => {
      const group = em.create(ChatGroup, {
        name: room.name,
        ownerId: userIds.get(room.members[0])!,
        visibility: 'private',
        retainMessages: null,
        createdAt,
      });
      await em.flush();
      let seq = 0;
      const messages = room.logs.map((log) => {
        const kind: ChatMessageKind = log.kind === 'dm' ? 'room_dm' : log.kind;
        return em.create(ChatMessage, {
          groupId: group.id,
          kind,
          seq: kind === 'room_dm' ? null : ++seq,
          authorId: log.from ? userIds.get(log.from)! : null,
          authorName: log.from,
          toUserId: log.to ? userIds.get(log.to)! : null,
          text: log.text,
          createdAt: log.ts,
        });
      });
      await em.flush();
      const last = messages.filter((m) => m.kind !== 'room_dm').at(-1);
      group.lastSeq = seq;
      if (last) {
        group.lastMessageId = last.id;
        group.lastMessageAt = last.createdAt;
        group.lastMessageText = last.text.slice(0, PREVIEW_CHARS);
        group.lastMessageFrom = last.authorName;
        group.lastMessageKind = last.kind;
      }
      // The migrated history counts as read: nobody starts with a thousand unread messages.
      const lastReadMessageId = messages.at(-1)?.id ?? 0;
      for (const name of room.members) {
        em.create(ChatMember, {
          groupId: group.id,
          userId: userIds.get(name)!,
          lastReadMessageId,
          joinedAt: createdAt,
        });
      }
      em.create(ImportRecord, { source: SOURCE, kind: 'group', sourceKey: room.key, targetId: group.id });
    });
  }

  private async importFollows(data: KlavData, userIds: Map<string, number>, report: KlavImportReport): Promise<void> {
    const connection = this.em.getConnection();
    for (const follow of data.follows) {
      const followerId = userIds.get(follow.follower);
      const followeeId = userIds.get(follow.followee);
      if (followerId === undefined || followeeId === undefined || follow.follower === follow.followee) {
        const why =
          follow.follower === follow.followee ? 'a user cannot follow themselves' : 'a user of it was not imported';
        report.problems.push({ at: follow.at, message: `${follow.follower} → ${follow.followee}: ${why}; left out` });
        continue;
      }
      if (followerId === WOULD_CREATE || followeeId === WOULD_CREATE) {
        report.follows.created++;
        continue;
      }
      const created = report.dryRun
        ? (await this.em.count(Follow, { followerId, followeeId })) === 0
        : (
            await connection.execute<unknown[]>(
              'insert into follows (follower_id, followee_id, created_at) values (?, ?, now()) on conflict do nothing returning id',
              [followerId, followeeId],
            )
          ).length === 1;
      report.follows[created ? 'created' : 'unchanged']++;
    }
  }

  /** What earlier runs created, by Klav key. */
  private async records(kind: 'user' | 'group'): Promise<Map<string, number>> {
    const rows = await this.em.find(ImportRecord, { source: SOURCE, kind });
    return new Map(rows.map((r) => [r.sourceKey, r.targetId]));
  }
}
