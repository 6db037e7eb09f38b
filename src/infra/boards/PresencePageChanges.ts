import type { Presence } from '@colyseus/core';
import { channels, type RevocationEvent } from '../../domain/realtime/RealtimeBus.ts';
import type { PageChange, PostPageCache } from '../../domain/boards/PostPageCache.ts';

/** Where processes tell each other which kept pages of posts changed (payload: PageChange + origin). */
export const PAGE_CHANGES_CHANNEL = 'plaza:boards:page-changes';

/**
 * Carries PostPageCache's changes between processes on Colyseus presence (in memory for one process,
 * Redis for several). A process hears its own messages too and skips them (it applied them already).
 * Sessions ended or roles changed (`channels.revoked` with a user) may come with a new name, role or an
 * anonymised account (deletion), all shown as a post's author: every page goes.
 */
export class PresencePageChanges {
  private readonly onChange = (change: PageChange & { origin?: string }) => {
    if (change.origin !== this.pages.origin) this.pages.apply(change);
  };
  private readonly onRevoked = (event: RevocationEvent) => {
    if (event.user_id !== undefined) this.pages.apply({ all: true });
  };

  constructor(
    private readonly presence: Presence,
    private readonly pages: PostPageCache,
  ) {}

  async start(): Promise<void> {
    await this.presence.subscribe(PAGE_CHANGES_CHANNEL, this.onChange);
    await this.presence.subscribe(channels.revoked, this.onRevoked);
  }

  async stop(): Promise<void> {
    await this.presence.unsubscribe(PAGE_CHANGES_CHANNEL, this.onChange);
    await this.presence.unsubscribe(channels.revoked, this.onRevoked);
  }
}
