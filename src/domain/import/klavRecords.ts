import { z } from 'zod';
import { MessageText } from '../realtime/text.ts';

/** Where a record sits in Klav's files, e.g. `chat_state.json: rooms.r_1.logs[3]`: what an operator fixes. */
export type Location = string;

export interface Problem {
  at: Location;
  message: string;
}

export interface KlavUser {
  at: Location;
  /** Lower-case, as Plaza stores usernames. */
  username: string;
  /** Klav kept it in plain text; Plaza stores only its argon2id hash. */
  password: string;
  nickname: string;
  email: string | null;
  createdAt: Date | null;
}

export type KlavLogKind = 'msg' | 'dm' | 'system';

export interface KlavLog {
  at: Location;
  kind: KlavLogKind;
  from: string | null;
  to: string | null;
  text: string;
  ts: Date;
}

export interface KlavRoom {
  at: Location;
  /** Klav's room id (`r_abc12345`). */
  key: string;
  name: string;
  createdAt: Date | null;
  members: string[];
  /** In file order, which is Klav's order. */
  logs: KlavLog[];
}

export interface KlavFollow {
  at: Location;
  follower: string;
  followee: string;
}

/** The three files as read from disk (`undefined`: the file is absent). */
export interface KlavFiles {
  users?: unknown;
  chatState?: unknown;
  friendsState?: unknown;
}

export interface KlavData {
  users: KlavUser[];
  rooms: KlavRoom[];
  follows: KlavFollow[];
  /** Records that cannot be imported, with where they are; the rest is imported. */
  problems: Problem[];
}

const USERS = 'users.json';
const CHAT = 'chat_state.json';
const FRIENDS = 'friends_state.json';

/** Plaza's username rule (the sign-up form's), so every imported account can sign in by name. */
const Username = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{3,32}$/, 'a username must be 3-32 letters, digits, dots, dashes or underscores')
  .transform((name) => name.toLowerCase());

/** Klav wrote ISO strings or Python's `time.time()` (seconds); milliseconds are accepted too. */
const Timestamp = z
  .union([z.string(), z.number()], { error: 'a time is required (ISO text, or seconds since 1970)' })
  .transform((value, ctx) => {
    const date = typeof value === 'number' ? new Date(value < 1e12 ? value * 1000 : value) : new Date(value);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: `not a time: ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return date;
  });

const UserRecord = z.object({
  username: Username,
  password: z.string().min(1).max(256),
  nickname: z.string().trim().min(1).max(64).optional(),
  extra: z
    .object({ email: z.email().max(254).optional() })
    .loose()
    .nullish(),
  created_at: Timestamp.nullish(),
});

const LogRecord = z
  .object({
    ts: Timestamp,
    kind: z.enum(['msg', 'dm', 'system']).default('msg'),
    from: Username.nullish(),
    to: Username.nullish(),
    text: MessageText,
  })
  .refine((log) => log.kind === 'system' || log.from, { message: 'a msg or dm needs "from"', path: ['from'] })
  .refine((log) => log.kind !== 'dm' || log.to, { message: 'a dm needs "to"', path: ['to'] });

const RoomRecord = z.object({
  name: z.string().trim().min(1).max(100),
  created_at: Timestamp.nullish(),
  members: z.array(Username).default([]),
  logs: z.array(z.unknown()).default([]),
});

const FollowPair = z.object({ follower: Username, followee: Username });

/**
 * Checks Klav's JSON state, record by record. Lists (`[...]`) and maps keyed by the record's name
 * (`{"alice": {...}}`) are both read, since Klav's JSON server wrote maps. A record that does not fit
 * becomes a problem with its location and is left out; the rest is returned.
 */
export function readKlavData(files: KlavFiles): KlavData {
  const problems: Problem[] = [];
  const users = readUsers(files.users, problems);
  const rooms = readRooms(files.chatState, problems);
  const follows = readFollows(files.friendsState, problems);
  return { users, rooms, follows, problems };
}

function readUsers(file: unknown, problems: Problem[]): KlavUser[] {
  const users: KlavUser[] = [];
  const seen = new Set<string>();
  for (const { at, key, value } of entries(unwrap(file, 'users'), `${USERS}: users`, 'username', problems)) {
    const parsed = UserRecord.safeParse(withKey(value, 'username', key));
    if (!parsed.success) {
      problems.push({ at, message: issueText(parsed.error) });
      continue;
    }
    const u = parsed.data;
    if (seen.has(u.username)) {
      problems.push({ at, message: `username "${u.username}" appears twice (names are case-insensitive)` });
      continue;
    }
    seen.add(u.username);
    users.push({
      at,
      username: u.username,
      password: u.password,
      nickname: u.nickname ?? u.username,
      email: u.extra?.email?.toLowerCase() ?? null,
      createdAt: u.created_at ?? null,
    });
  }
  return users;
}

function readRooms(file: unknown, problems: Problem[]): KlavRoom[] {
  const rooms: KlavRoom[] = [];
  for (const { at, key, value } of entries(unwrap(file, 'rooms'), `${CHAT}: rooms`, 'id', problems)) {
    const parsed = RoomRecord.safeParse(value);
    if (!key || !parsed.success) {
      problems.push({ at, message: key ? issueText(parsed.error!) : 'a room needs an "id"' });
      continue;
    }
    const logs: KlavLog[] = [];
    parsed.data.logs.forEach((raw, index) => {
      const logAt = `${at}.logs[${index}]`;
      const log = LogRecord.safeParse(raw);
      if (!log.success) problems.push({ at: logAt, message: issueText(log.error) });
      else
        logs.push({
          at: logAt,
          kind: log.data.kind,
          from: log.data.kind === 'system' ? null : (log.data.from ?? null),
          to: log.data.kind === 'dm' ? (log.data.to ?? null) : null,
          text: log.data.text,
          ts: log.data.ts,
        });
    });
    const { name, created_at, members } = parsed.data;
    rooms.push({ at, key, name, createdAt: created_at ?? null, members: [...new Set(members)], logs });
  }
  return rooms;
}

function readFollows(file: unknown, problems: Problem[]): KlavFollow[] {
  const follows: KlavFollow[] = [];
  const list = unwrap(file, 'follows');
  if (Array.isArray(list)) {
    list.forEach((value, index) => {
      const at = `${FRIENDS}: follows[${index}]`;
      const pair = FollowPair.safeParse(value);
      if (pair.success) follows.push({ at, ...pair.data });
      else problems.push({ at, message: issueText(pair.error) });
    });
    return follows;
  }
  for (const { at, key, value } of entries(list, `${FRIENDS}: follows`, 'follower', problems)) {
    const pair = z
      .object({ follower: Username, followees: z.array(Username) })
      .safeParse({ follower: key, followees: value });
    if (!pair.success) problems.push({ at, message: issueText(pair.error) });
    else for (const followee of pair.data.followees) follows.push({ at, follower: pair.data.follower, followee });
  }
  return follows;
}

/** `{"users": X}` or X itself; an absent file is empty. */
function unwrap(file: unknown, field: string): unknown {
  if (file === undefined) return [];
  if (file && typeof file === 'object' && !Array.isArray(file) && field in file)
    return (file as Record<string, unknown>)[field];
  return file;
}

/** The records of a list or of a map keyed by `keyField`, each with its location. */
function entries(
  container: unknown,
  at: Location,
  keyField: string,
  problems: Problem[],
): { at: Location; key: string | undefined; value: unknown }[] {
  if (Array.isArray(container)) {
    return (container as unknown[]).map((value, index) => {
      const key = value && typeof value === 'object' ? (value as Record<string, unknown>)[keyField] : undefined;
      return { at: `${at}[${index}]`, key: typeof key === 'string' ? key : undefined, value };
    });
  }
  if (container && typeof container === 'object') {
    return Object.entries(container as Record<string, unknown>).map(([key, value]) => ({
      at: `${at}.${key}`,
      key,
      value,
    }));
  }
  problems.push({ at, message: 'expected a list or an object' });
  return [];
}

function withKey(value: unknown, field: string, key: string | undefined): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return key !== undefined && !(field in value) ? { ...value, [field]: key } : value;
}

function issueText(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
