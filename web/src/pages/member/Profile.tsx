import { useEffect, useState } from 'preact/hooks';
import { api, ok, rawFetch, type Schema } from '../../api.ts';
import { ActionForm, Alert, Field, FileField, useAction } from '../../components/Form.tsx';
import { FileImage } from '../../components/FileImage.tsx';
import { reloadMe, session } from '../../session.ts';
import { useStore } from '../../store.ts';

/** My profile: nickname, bio, avatar (shown through a signed link like every stored image), my signed-in devices. */
export function Profile() {
  const state = useStore(session);
  if (state.status !== 'signedIn') return null;
  const me = state.me;
  return (
    <section>
      <h1>Profile</h1>
      <div class="profile-head">
        {me.avatar_file_id ? (
          <FileImage file={{ id: me.avatar_file_id, original_name: 'avatar' }} alt="My avatar" class="avatar" />
        ) : (
          <span class="muted">No avatar yet.</span>
        )}
        <div>
          <strong>{me.nickname || me.username}</strong> <span class="muted">@{me.username}</span>
          <br />
          <span class="muted">{me.email}</span>
        </div>
      </div>
      <AvatarForm />
      <ProfileForm me={me} />
      <Sessions />
    </section>
  );
}

function AvatarForm() {
  const [file, setFile] = useState<File>();
  const [done, setDone] = useState(false);
  const upload = useAction(async () => {
    if (!file) throw new Error('Choose an image first');
    setDone(false);
    const form = new FormData();
    form.append('file', file);
    const stored = (await (await rawFetch('/files', { method: 'POST', body: form })).json()) as Schema<'File'>;
    await ok(api.PATCH('/users/me', { body: { avatar_file_id: stored.id } }));
    await reloadMe();
    setDone(true);
  });
  return (
    <>
      <h2>Avatar</h2>
      <ActionForm action={upload} submit="Upload avatar" notice={done && 'Your avatar is updated.'}>
        <FileField
          label="Avatar image"
          name="avatar"
          accept="image/png,image/jpeg,image/gif,image/webp"
          onFiles={(files) => setFile(files[0])}
        />
      </ActionForm>
    </>
  );
}

function ProfileForm({ me }: { me: Schema<'PrivateUser'> }) {
  const [nickname, setNickname] = useState(me.nickname);
  const [bio, setBio] = useState(me.bio);
  const [done, setDone] = useState(false);
  const save = useAction(async () => {
    setDone(false);
    await ok(api.PATCH('/users/me', { body: { nickname, bio } }));
    await reloadMe();
    setDone(true);
  });
  return (
    <>
      <h2>About me</h2>
      <ActionForm action={save} submit="Save profile" notice={done && 'Your profile is saved.'}>
        <Field label="Nickname" name="nickname" value={nickname} onInput={setNickname} required />
        <label class="field">
          <span>Bio</span>
          <textarea name="bio" rows={4} maxLength={2000} value={bio} onInput={(e) => setBio(e.currentTarget.value)} />
        </label>
      </ActionForm>
    </>
  );
}

/** My logins that can still refresh; any but this one can be ended from here. */
function Sessions() {
  const [sessions, setSessions] = useState<Schema<'LoginSession'>[]>([]);
  const load = useAction(async () => {
    setSessions((await ok(api.GET('/users/me/sessions'))).items);
  });
  const end = useAction(async (id: string) => {
    await ok(api.DELETE('/users/me/sessions/{id}', { params: { path: { id } } }));
    await load.run();
  });
  useEffect(() => void load.run(), []);
  return (
    <>
      <h2>Signed-in devices</h2>
      {load.error && <Alert>{load.error}</Alert>}
      {end.error && <Alert>{end.error}</Alert>}
      <table aria-label="Signed-in devices">
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Address</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id}>
              <td>{s.user_agent ?? 'unknown'}</td>
              <td>{s.address}</td>
              <td>{new Date(s.created_at).toLocaleString()}</td>
              <td>{new Date(s.last_used_at).toLocaleString()}</td>
              <td>
                {s.current ? (
                  <strong>This device</strong>
                ) : (
                  <button
                    type="button"
                    class="secondary small"
                    aria-label={`End the session last used ${new Date(s.last_used_at).toLocaleString()}`}
                    disabled={end.busy}
                    onClick={() => void end.run(s.id)}
                  >
                    End session
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
