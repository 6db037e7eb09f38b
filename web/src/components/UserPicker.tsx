import { api, ok } from '../api.ts';

/** The id of the account with exactly this username (case-insensitive), or an error to show. */
export async function findUserId(username: string): Promise<number> {
  const wanted = username.trim().toLowerCase();
  const page = await ok(api.GET('/users', { params: { query: { q: wanted, limit: 20 } } }));
  const user = page.items.find((u) => u.username === wanted);
  if (!user) throw new Error(`No user named ${username}`);
  return user.id;
}
