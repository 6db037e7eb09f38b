import { useState } from 'preact/hooks';
import { UsersPanel } from './UsersPanel.tsx';
import { AuditPanel } from './AuditPanel.tsx';
import { OutboxPanel } from './OutboxPanel.tsx';
import './admin.css';

/** Administration: users (roles, bans), the audit log, the outbox, and the way to the Colyseus monitor. */
export function AdminPage() {
  // Bumped after every audited action on this page, so the audit log reloads and shows it.
  const [auditVersion, setAuditVersion] = useState(0);
  return (
    <section class="admin-page">
      <h1>Administration</h1>
      <p>
        Live rooms and connections: <a href="/admin/monitor/">Colyseus monitor</a>
      </p>
      <UsersPanel onChanged={() => setAuditVersion((v) => v + 1)} />
      <AuditPanel version={auditVersion} />
      <OutboxPanel />
    </section>
  );
}
