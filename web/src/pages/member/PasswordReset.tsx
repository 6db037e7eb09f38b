import { useState } from 'preact/hooks';
import { api, ok } from '../../api.ts';
import { CONSOLE } from '../../router.ts';
import { ActionForm, Alert, Field, NarrowPage, useAction, PasswordField } from '../../components/Form.tsx';
import type { PageProps } from '../types.ts';

/** Asks for the reset mail. The server answers the same whether or not the address has an account. */
export function ForgotPassword() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const action = useAction(async () => {
    await ok(api.POST('/auth/password/forgot', { body: { email } }));
    setSent(true);
  });
  return (
    <NarrowPage title="Forgot your password?">
      <ActionForm
        action={action}
        submit="Send reset link"
        notice={sent && 'If an account has this address, a reset link is on its way.'}
      >
        <Field
          label="E-mail"
          name="email"
          type="email"
          value={email}
          onInput={setEmail}
          autoComplete="email"
          required
        />
      </ActionForm>
    </NarrowPage>
  );
}

/** The page the reset e-mail links to: /console/reset?token=… */
export function ResetPassword({ query }: PageProps) {
  const [token, setToken] = useState(query.get('token') ?? '');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction(async () => {
    await ok(api.POST('/auth/password/reset', { body: { token, password } }));
    setDone(true);
  });
  return (
    <NarrowPage title="Set a new password">
      {done ? (
        <Alert kind="info">
          Your password is changed and every session is signed out. <a href={`${CONSOLE}/signin`}>Sign in</a>
        </Alert>
      ) : (
        <ActionForm action={action} submit="Set password">
          {!query.get('token') && <Field label="Reset token" name="token" value={token} onInput={setToken} required />}
          <PasswordField label="New password" purpose="new" value={password} onInput={setPassword} />
        </ActionForm>
      )}
    </NarrowPage>
  );
}
