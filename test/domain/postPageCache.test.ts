import { expect } from 'chai';
import { PAGE_CACHE_LIMITS, PostPageCache, type SharedPage } from '../../src/domain/boards/PostPageCache.ts';
import type { PostView } from '../../src/domain/boards/boardViews.ts';

const rules: SharedPage['board'] = { visible: true, available: true, access: 'public', deletedAt: null };
const pageOf = (posts: number): SharedPage => ({
  board: rules,
  page: { items: Array.from({ length: posts }, (_, i) => ({ id: i + 1 }) as PostView), next_cursor: null },
});
const key = (boardId: number, cursor?: string) => ({ boardId, sort: 'new', cursor, limit: 20 });

describe('PostPageCache: what it keeps, and for how long', () => {
  it('when pages of more posts than the limit are kept, then the least recently read ones go first', () => {
    const cache = new PostPageCache();
    const pages = PAGE_CACHE_LIMITS.posts / 20;
    for (let i = 0; i < pages; i++) cache.storeShared(key(1, `c${i}`), cache.stamp(1), pageOf(20));
    expect(cache.shared(key(1, 'c0'))).not.to.equal(undefined); // read: now the most recent
    cache.storeShared(key(1, 'extra'), cache.stamp(1), pageOf(20));
    expect(cache.shared(key(1, 'c0'))).not.to.equal(undefined);
    expect(cache.shared(key(1, 'c1'))).to.equal(undefined);
    expect(cache.shared(key(1, 'extra'))).not.to.equal(undefined);
  });

  it('when a board changes while its page is being read, then that read keeps nothing; other boards keep theirs', () => {
    const published: unknown[] = [];
    const cache = new PostPageCache((change) => published.push(change));
    const stamp = cache.stamp(1);
    cache.storeShared(key(2), cache.stamp(2), pageOf(3));
    cache.boardChanged(1);
    cache.storeShared(key(1), stamp, pageOf(3));
    expect(cache.shared(key(1))).to.equal(undefined);
    expect(cache.shared(key(2))).not.to.equal(undefined);
    expect(published).to.deep.equal([{ board_id: 1, origin: cache.origin }]);
    cache.apply({ all: true });
    expect(cache.shared(key(2))).to.equal(undefined);
  });
});
