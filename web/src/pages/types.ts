import type { ComponentType } from 'preact';
import type { Role } from '../session.ts';
import type { Store } from '../store.ts';

/** What every page component receives: the named parts of its path and the query string. */
export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

/**
 * One page of the console. `path` is under /console (see router.ts); `nav` puts it in the side navigation
 * (pages reached only by links, like one group's chat, leave it out). `role` gates both the link and the
 * page: below it the link is hidden and the page says it is not for this account (the server refuses the
 * API anyway). `public` pages (sign-in, reset) show without a session.
 */
export interface PageEntry {
  path: string;
  component: ComponentType<PageProps>;
  title: string;
  /** `badge`: a count shown beside the link while above zero (unread notifications). */
  nav?: { label: string; section: 'member' | 'operator' | 'admin'; order?: number; badge?: Store<number> };
  role?: Role;
  public?: boolean;
}
