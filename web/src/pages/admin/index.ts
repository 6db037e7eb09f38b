import type { PageEntry } from '../types.ts';
import { DatabaseExplorer } from './explorer/DatabaseExplorer.tsx';
import { SshControlRoom } from './ssh/SshControlRoom.tsx';
import { AdminPage } from './admin/AdminPage.tsx';
import { SupportInbox } from './support/SupportInbox.tsx';

/** Operator and admin pages (SSH control room, admin views, database explorer), gated by `role`. */
export const adminPages: PageEntry[] = [
  {
    path: '/console/ssh',
    component: SshControlRoom,
    title: 'SSH control room',
    role: 'operator',
    nav: { label: 'SSH', section: 'operator', order: 10 },
  },
  {
    path: '/console/admin',
    component: AdminPage,
    title: 'Administration',
    role: 'admin',
    nav: { label: 'Admin', section: 'admin', order: 10 },
  },
  {
    path: '/console/db',
    component: DatabaseExplorer,
    title: 'Database explorer',
    role: 'admin',
    nav: { label: 'Database', section: 'admin', order: 30 },
  },
  {
    path: '/console/inbox',
    component: SupportInbox,
    title: 'Support inbox',
    role: 'admin',
    nav: { label: 'Support inbox', section: 'admin', order: 40 },
  },
];
