import { useState } from 'preact/hooks';
import { UsersPanel } from './UsersPanel.tsx';
import { CreateUserPanel } from './CreateUserPanel.tsx';
import { AuditPanel } from './AuditPanel.tsx';
import { OutboxPanel } from './OutboxPanel.tsx';
import { MonitorLink } from './MonitorLink.tsx';
import './admin.css';

/** Administration: users (create, roles, bans), the audit log, the outbox, and the way to the Colyseus monitor. */
export function AdminPage() {
  // Bumped after every audited action on this page, so the audit log reloads and shows it.
  const [auditVersion, setAuditVersion] = useState(0);
  // Bumped when a user is created, so the users list shows them.
  const [usersVersion, setUsersVersion] = useState(0);
  return (
    <section class="admin-page">
      <h1>Administration</h1>
      <MonitorLink />
      <UsersPanel version={usersVersion} onChanged={() => setAuditVersion((v) => v + 1)} />
      <CreateUserPanel
        onCreated={() => {
          setUsersVersion((v) => v + 1);
          setAuditVersion((v) => v + 1);
        }}
      />
      <AuditPanel version={auditVersion} />
      <OutboxPanel />
    </section>
  );
}
