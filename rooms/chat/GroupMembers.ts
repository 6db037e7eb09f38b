import type { MemberView } from '../../src/domain/realtime/ChatGroupService.ts';

/** One member as the `members` reply lists them. */
export interface MemberEntry {
  user_id: number;
  username: string;
  nickname: string;
  /** Connected to this room now. */
  online: boolean;
  last_read_message_id: number;
}

/**
 * A chat room's own copy of its group's member list (loaded at creation, reloaded on every membership
 * change): who may join without a query, and the pages of the `members` request, by user id.
 */
export class GroupMembers {
  private byId = new Map<number, MemberView>();
  private ids: number[] = [];

  get size(): number {
    return this.ids.length;
  }

  replace(members: MemberView[]): void {
    this.byId = new Map(members.map((m) => [m.user_id, { ...m }]));
    this.ids = [...this.byId.keys()].sort((a, b) => a - b);
  }

  has(userId: number): boolean {
    return this.byId.has(userId);
  }

  markRead(userId: number, messageId: number): void {
    const member = this.byId.get(userId);
    if (member) member.last_read_message_id = messageId;
  }

  /** Members with a user id above `after`, at most `limit`; `next_after` continues the list (null: the end). */
  page(
    after: number,
    limit: number,
    online: (userId: number) => boolean,
  ): { items: MemberEntry[]; next_after: number | null } {
    let low = 0;
    let high = this.ids.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.ids[mid] <= after) low = mid + 1;
      else high = mid;
    }
    const ids = this.ids.slice(low, low + limit);
    const items = ids.map((id) => {
      const m = this.byId.get(id)!;
      return {
        user_id: id,
        username: m.username,
        nickname: m.nickname,
        online: online(id),
        last_read_message_id: m.last_read_message_id,
      };
    });
    return { items, next_after: low + limit < this.ids.length ? ids[ids.length - 1] : null };
  }
}
