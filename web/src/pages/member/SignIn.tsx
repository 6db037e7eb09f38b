import { useState } from 'preact/hooks';
import { signIn, ApiError } from '../../session.ts';
import { navigate, CONSOLE } from '../../router.ts';
import { ActionForm, Field, NarrowPage, useAction, PasswordField } from '../../components/Form.tsx';
import type { PageProps } from '../types.ts';

export function SignIn({ query }: PageProps) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction(async () => {
    await signIn(login, password).catch((e: unknown) => {
      throw new Error(refusal(e));
    });
    navigate(query.get('next') ?? `${CONSOLE}/groups`, { replace: true });
  });
  return (
    <NarrowPage title="Sign in">
      <ActionForm action={action} submit="Sign in">
        <Field
          label="Username or e-mail"
          name="login"
          value={login}
          onInput={setLogin}
          autoComplete="username"
          required
        />
        <PasswordField purpose="current" value={password} onInput={setPassword} />
      </ActionForm>
      <p>
        <a href={`${CONSOLE}/signup`}>Create an account</a> · <a href={`${CONSOLE}/forgot`}>Forgot your password?</a>
      </p>
    </NarrowPage>
  );
}

/** Why sign-in failed: a banned person is told the admin's reason and when the ban ends (11008's detail). */
function refusal(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (!(e instanceof ApiError) || e.code !== 11008) return e.message;
  const detail = (e.body?.error.detail ?? {}) as { reason?: string | null; until?: string | null };
  const reason = detail.reason ? `: ${detail.reason}` : '';
  return `${e.message}${reason}${detail.until ? ` (until ${detail.until})` : ' (no end set)'}`;
}
