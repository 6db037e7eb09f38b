import type { EntityManager } from '@mikro-orm/sql';
import { ChatGroup } from '../../../entities/ChatGroup.ts';
import { AppError } from '../../errors/index.ts';
import { User } from '../../../entities/User.ts';
import { keys, type RealtimeBus } from './RealtimeBus.ts';
import type { ChatGroupService, MemberView } from './ChatGroupService.ts';
import type { NotificationService } from './NotificationService.ts';

export interface ConnectionView {
  session_id: string;
  user_id: number;
  username: string;
  room: string;
  room_id: string;
  group_id: number | null;
  connected_at: string;
  /** The Plaza process holding the connection (swept when that process is gone). */
  process_id: string;
  /** The client's address at join (behind a reverse proxy: from X-Forwarded-For when TRUST_PROXY is set). */
  address: string | null;
}

export interface LiveGroupView {
  group_id: number;
  name: string;
  room_id: string;
  connections: number;
  users: number;
}

/** Operators' views of realtime: who is connected where (every room type), and notices to users. */
export class RealtimeAdminService {
  constructor(
    private readonly em: EntityManager,
    private readonly bus: RealtimeBus,
    private readonly groups: ChatGroupService,
    private readonly notifications: NotificationService,
  ) {}

  async connections(): Promise<ConnectionView[]> {
    const all = await this.bus.hgetall(keys.connections);
    return (
      Object.values(all)
        .map((json) => JSON.parse(json) as ConnectionView)
        // Records written before addresses were kept (another process of an older release) have none.
        .map((c) => ({ ...c, address: c.address ?? null }))
        .sort((a, b) => a.connected_at.localeCompare(b.connected_at))
    );
  }

  async liveGroups(): Promise<LiveGroupView[]> {
    const byGroup = new Map<number, ConnectionView[]>();
    for (const c of await this.connections()) {
      if (c.group_id === null) continue;
      byGroup.set(c.group_id, [...(byGroup.get(c.group_id) ?? []), c]);
    }
    const ids = [...byGroup.keys()];
    const groups = ids.length ? await this.em.find(ChatGroup, { id: { $in: ids } }, { fields: ['id', 'name'] }) : [];
    const names = new Map(groups.map((g) => [g.id, g.name]));
    return ids.map((id) => {
      const list = byGroup.get(id)!;
      return {
        group_id: id,
        name: names.get(id) ?? '',
        room_id: list[0].room_id,
        connections: list.length,
        users: new Set(list.map((c) => c.user_id)).size,
      };
    });
  }

  async liveGroup(
    groupId: number,
  ): Promise<{ group_id: number; name: string; members: MemberView[]; connections: ConnectionView[] }> {
    const group = await this.groups.get(groupId);
    const connections = (await this.connections()).filter((c) => c.group_id === groupId);
    return { group_id: groupId, name: group.name, members: await this.groups.members(groupId), connections };
  }

  /**
   * A notice to a user: stored as a notification (unread until they mark it), and pushed live to
   * their home devices if any is connected.
   */
  async sendToUser(
    userId: number,
    text: string,
  ): Promise<{ stored: true; notification_id: number; delivered_live: boolean }> {
    if (!(await this.em.count(User, { id: userId }))) throw new AppError('USER_NOT_FOUND');
    const notification = await this.notifications.notify(userId, { type: 'notice', text });
    const online = (await this.connections()).some((c) => c.user_id === userId && c.room === 'home');
    return { stored: true, notification_id: notification.id, delivered_live: online };
  }
}
