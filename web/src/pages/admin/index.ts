import type { PageEntry } from '../types.ts';
import { DatabaseExplorer } from './explorer/DatabaseExplorer.tsx';
import { SshControlRoom } from './ssh/SshControlRoom.tsx';
import { AdminPage } from './admin/AdminPage.tsx';
import { BoardsPage } from './boards/BoardsPage.tsx';
import { LivePage } from './live/LivePage.tsx';
import { AiModelsPage } from './models/AiModelsPage.tsx';
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
    path: '/console/grants',
    component: BoardsPage,
    title: 'Boards and grants',
    role: 'admin',
    nav: { label: 'Board grants', section: 'admin', order: 12 },
  },
  {
    path: '/console/live',
    component: LivePage,
    title: 'Live clients and groups',
    role: 'admin',
    nav: { label: 'Live clients', section: 'admin', order: 14 },
  },
  {
    path: '/console/models',
    component: AiModelsPage,
    title: 'AI model settings',
    role: 'admin',
    nav: { label: 'AI models', section: 'admin', order: 16 },
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
