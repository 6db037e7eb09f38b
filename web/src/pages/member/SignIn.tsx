import { useState } from 'preact/hooks';
import { signIn } from '../../session.ts';
import { navigate, CONSOLE } from '../../router.ts';
import { Alert, Field, useAction } from '../../components/Form.tsx';
import type { PageProps } from '../types.ts';

export function SignIn({ query }: PageProps) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction(async () => {
    await signIn(login, password);
    navigate(query.get('next') ?? `${CONSOLE}/groups`, { replace: true });
  });
  return (
    <section class="narrow">
      <h1>Sign in</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run();
        }}
      >
        <Field
          label="Username or e-mail"
          name="login"
          value={login}
          onInput={setLogin}
          autoComplete="username"
          required
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onInput={setPassword}
          autoComplete="current-password"
          required
        />
        {action.error && <Alert>{action.error}</Alert>}
        <button type="submit" disabled={action.busy}>
          Sign in
        </button>
      </form>
      <p>
        <a href={`${CONSOLE}/signup`}>Create an account</a> · <a href={`${CONSOLE}/forgot`}>Forgot your password?</a>
      </p>
    </section>
  );
}
