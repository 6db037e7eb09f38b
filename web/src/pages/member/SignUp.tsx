import { useState } from 'preact/hooks';
import { api, ok } from '../../api.ts';
import { signIn } from '../../session.ts';
import { navigate, CONSOLE } from '../../router.ts';
import { ActionForm, Field, NarrowPage, useAction, PasswordField } from '../../components/Form.tsx';

export function SignUp() {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [nickname, setNickname] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction(async () => {
    await ok(api.POST('/auth/register', { body: { username, email, password, nickname: nickname || undefined } }));
    await signIn(username, password);
    navigate(`${CONSOLE}/groups`, { replace: true });
  });
  return (
    <NarrowPage title="Create an account">
      <ActionForm action={action} submit="Create account">
        <Field
          label="Username"
          name="username"
          value={username}
          onInput={setUsername}
          autoComplete="username"
          required
        />
        <Field
          label="E-mail"
          name="email"
          type="email"
          value={email}
          onInput={setEmail}
          autoComplete="email"
          required
        />
        <Field
          label="Nickname (optional)"
          name="nickname"
          value={nickname}
          onInput={setNickname}
          autoComplete="nickname"
        />
        <PasswordField purpose="new" value={password} onInput={setPassword} />
      </ActionForm>
      <p>
        Already have an account? <a href={`${CONSOLE}/signin`}>Sign in</a>
      </p>
    </NarrowPage>
  );
}
