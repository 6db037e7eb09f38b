import { api, ok } from '../../../api.ts';
import { Alert, useAction } from '../../../components/Form.tsx';

const MONITOR = '/admin/monitor/';

/**
 * The way to the Colyseus monitor. A click first trades this console's access token for the monitor's own
 * cookie (POST /admin/monitor-session), so the monitor opens without a second sign-in; a link opened
 * elsewhere (a new tab) still reaches the monitor's sign-in form.
 */
export function MonitorLink() {
  const open = useAction(async () => {
    await ok(api.POST('/admin/monitor-session'));
    location.assign(MONITOR);
  });
  return (
    <p>
      Live rooms and connections:{' '}
      <a
        href={MONITOR}
        onClick={(e) => {
          if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
          e.preventDefault();
          void open.run();
        }}
      >
        Colyseus monitor
      </a>
      {open.error && <Alert>{open.error}</Alert>}
    </p>
  );
}
