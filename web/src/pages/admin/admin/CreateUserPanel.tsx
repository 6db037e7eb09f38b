import { useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert, Field, PasswordField, SelectField, useAction } from '../../../components/Form.tsx';

type Role = Schema<'AdminUser'>['role'];
const ROLES: Role[] = ['user', 'operator', 'admin'];

/** Creates an account with a role (the address counts as verified: an admin entered it). */
export function CreateUserPanel(props: { onCreated: () => void }) {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [notice, setNotice] = useState<string>();
  const create = useAction(async () => {
    setNotice(undefined);
    const user = await ok(api.POST('/admin/users', { body: { username, email, password, role } }));
    setNotice(`Created ${user.username} (${user.role}).`);
    setUsername('');
    setEmail('');
    setPassword('');
    setRole('user');
    props.onCreated();
  });
  return (
    <section aria-labelledby="create-user-heading">
      <h2 id="create-user-heading">Create a user</h2>
      <form
        class="inline"
        aria-label="Create a user"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <Field label="Username" name="username" value={username} onInput={setUsername} required />
        <Field label="E-mail" name="email" type="email" value={email} onInput={setEmail} required />
        <PasswordField purpose="new" value={password} onInput={setPassword} />
        <SelectField label="Role" name="role" options={ROLES} value={role} onChange={setRole} />
        <button type="submit" disabled={create.busy}>
          Create user
        </button>
      </form>
      {create.error && <Alert>{create.error}</Alert>}
      {notice && <Alert kind="info">{notice}</Alert>}
    </section>
  );
}
