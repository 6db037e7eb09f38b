import type { PageEntry } from './types.ts';
import { memberPages } from './member/index.ts';
import { adminPages } from './admin/index.ts';

export type { PageEntry, PageProps } from './types.ts';

/** Every page of the console; the shell routes to them and builds the navigation from their `nav`. */
export const pages: PageEntry[] = [...memberPages, ...adminPages];
