import { LocalDriver, type IRoomCache, type SortOptions } from '@colyseus/core';
import { meetsConditions } from './listingConditions.ts';

/** Fields every listing carries: a condition on them alone (`{ processId }`) is answered by the stock scan. */
const LISTING_FIELDS = new Set([
  'name',
  'roomId',
  'processId',
  'clients',
  'maxClients',
  'locked',
  'private',
  'unlisted',
  'publicAddress',
  'metadata',
  'createdAt',
]);

type Listing = IRoomCache & Record<string, unknown>;

/**
 * Colyseus' LocalDriver (one process) with its listings indexed, so matchmaking does not scan every
 * room on every join. The stock `findOne` copies and filters the whole list: with one `home` per
 * signed-in user that is O(rooms) per `joinOrCreate`. Here a lookup by `roomId` is one map read, and
 * one by a room name and its `filterBy` values (`{ name: 'home', userId: 7, locked: false, ... }`) reads
 * the smallest matching bucket (by name, or by each filter field's value) and checks only those
 * listings against every condition, with the stock semantics: a field is the listing's own, else its
 * metadata's; values compare with `===`; ties keep insertion order, then `sortOptions` apply.
 *
 * The index follows what the matchmaker tells the driver (`insert`, `persist`, `update`, `remove`): a
 * room changes its listing through `setMatchmaking`/`setMetadata`, which report to the driver. `query`,
 * `cleanup` and `findByIds` stay the stock ones.
 */
export class IndexedLocalDriver extends LocalDriver {
  private readonly byId = new Map<string, Listing>();
  /** "field\u0000value-type" → value → listings whose field (own, else metadata) holds that value. */
  private readonly byField = new Map<string, Map<unknown, Set<Listing>>>();
  /** Where each listing is indexed now, and its insertion order. */
  private readonly entries = new Map<Listing, { seq: number; keys: [string, unknown][] }>();
  private nextSeq = 0;

  override async insert(room: IRoomCache): Promise<boolean> {
    const inserted = await super.insert(room);
    if (inserted) this.index(room as Listing);
    return inserted;
  }

  override persist(room: IRoomCache, create = false): boolean {
    const persisted = super.persist(room, create);
    if (persisted || this.entries.has(room as Listing)) this.index(room as Listing);
    return persisted;
  }

  override update(
    room: IRoomCache,
    operations: Partial<{ $set: Partial<IRoomCache>; $inc: Partial<IRoomCache> }>,
  ): boolean {
    const updated = super.update(room, operations);
    if (this.entries.has(room as Listing)) this.index(room as Listing);
    return updated;
  }

  override remove(roomId: string): boolean {
    const listing = this.byId.get(roomId);
    if (listing) this.unindex(listing);
    return super.remove(roomId);
  }

  override clear(): void {
    super.clear();
    this.byId.clear();
    this.byField.clear();
    this.entries.clear();
  }

  override async findOne(conditions: Partial<IRoomCache>, sortOptions?: SortOptions): Promise<IRoomCache> {
    const candidates = this.candidates(conditions as Record<string, unknown>);
    if (!candidates) return super.findOne(conditions, sortOptions);
    const matching = [...candidates].filter((listing) =>
      meetsConditions(listing, conditions as Record<string, unknown>),
    );
    if (matching.length > 1) {
      matching.sort((a, b) => this.entries.get(a)!.seq - this.entries.get(b)!.seq);
      if (sortOptions) matching.sort(bySortOptions(sortOptions));
    }
    return matching[0] as IRoomCache;
  }

  /** The smallest indexed set that holds every listing matching `conditions`; undefined: not indexable. */
  private candidates(conditions: Record<string, unknown>): Iterable<Listing> | undefined {
    if (conditions.roomId !== undefined) {
      const listing = this.byId.get(conditions.roomId as string);
      return listing ? [listing] : [];
    }
    let smallest: Set<Listing> | undefined;
    for (const [field, value] of Object.entries(conditions)) {
      if (LISTING_FIELDS.has(field) && field !== 'name') continue;
      const bucket = this.byField.get(fieldKey(field, value))?.get(value);
      if (!bucket) return [];
      if (!smallest || bucket.size < smallest.size) smallest = bucket;
    }
    return smallest;
  }

  private index(listing: Listing): void {
    const entry = this.entries.get(listing);
    if (entry) this.unindex(listing);
    const keys: [string, unknown][] = [];
    for (const field of indexedFields(listing)) {
      const value = valueOf(listing, field);
      const key = fieldKey(field, value);
      let values = this.byField.get(key);
      if (!values) this.byField.set(key, (values = new Map<unknown, Set<Listing>>()));
      let bucket = values.get(value);
      if (!bucket) values.set(value, (bucket = new Set<Listing>()));
      bucket.add(listing);
      keys.push([key, value]);
    }
    this.entries.set(listing, { seq: entry?.seq ?? this.nextSeq++, keys });
    this.byId.set(listing.roomId, listing);
  }

  private unindex(listing: Listing): void {
    const entry = this.entries.get(listing);
    if (!entry) return;
    for (const [key, value] of entry.keys) {
      const values = this.byField.get(key);
      const bucket = values?.get(value);
      bucket?.delete(listing);
      if (bucket?.size === 0) values!.delete(value);
      if (values?.size === 0) this.byField.delete(key);
    }
    this.entries.delete(listing);
    if (this.byId.get(listing.roomId) === listing) this.byId.delete(listing.roomId);
  }
}

/** The name, then every field a filter can name beyond the standard ones: the listing's own, and its metadata's. */
function* indexedFields(listing: Listing): Iterable<string> {
  yield 'name';
  for (const field of Object.keys(listing)) if (!LISTING_FIELDS.has(field)) yield field;
  const metadata = listing.metadata as Record<string, unknown> | undefined;
  if (metadata && typeof metadata === 'object')
    for (const field of Object.keys(metadata)) if (!Object.hasOwn(listing, field)) yield field;
}

/** A field's value as the stock Query reads it: the listing's own property, else its metadata's. */
function valueOf(listing: Listing, field: string): unknown {
  if (Object.hasOwn(listing, field)) return listing[field];
  return (listing.metadata as Record<string, unknown>)[field];
}

/**
 * Map keys compare like `===` except that NaN finds NaN and 0 finds -0; the value's type is part of the
 * bucket key so that a number never finds a string. The filter afterwards is exact either way.
 */
function fieldKey(field: string, value: unknown): string {
  return `${field}\u0000${typeof value}`;
}

/** The stock Query's order: each sort field in turn, the listing's own value else its metadata's. */
function bySortOptions(sortOptions: SortOptions) {
  const fields = Object.entries(sortOptions).map(([field, direction]) => ({
    field,
    sign: direction === 1 || direction === 'asc' || direction === 'ascending' ? 1 : -1,
  }));
  const read = (listing: Listing, own: boolean, field: string) =>
    own ? listing[field] : (listing.metadata as Record<string, unknown> | undefined)?.[field];
  return (a: Listing, b: Listing): number => {
    for (const { field, sign } of fields) {
      const own = Object.hasOwn(a, field);
      const [x, y] = [read(a, own, field), read(b, own, field)] as [number, number];
      if (x > y) return sign;
      if (x < y) return -sign;
    }
    return 0;
  };
}
