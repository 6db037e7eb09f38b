import { useId, useState } from 'preact/hooks';
import { Alert, Field, useAction } from '../../../components/Form.tsx';

/** A one-line text to send (a notice to a user, a broadcast to a group); `send` answers what to tell the admin. */
export function NoticeForm(props: {
  title: string;
  label: string;
  submit: string;
  send: (text: string) => Promise<string>;
  onClose?: () => void;
}) {
  const titleId = useId();
  const [text, setText] = useState('');
  const [notice, setNotice] = useState<string>();
  const send = useAction(async () => {
    setNotice(undefined);
    setNotice(await props.send(text));
    setText('');
  });
  return (
    <form
      class="inline ban-form"
      aria-labelledby={titleId}
      onSubmit={(e) => {
        e.preventDefault();
        void send.run();
      }}
    >
      <strong id={titleId} class="form-title">
        {props.title}
      </strong>
      <Field label={props.label} name="text" value={text} onInput={setText} required />
      <button type="submit" disabled={send.busy}>
        {props.submit}
      </button>
      {props.onClose && (
        <button type="button" class="secondary" onClick={props.onClose}>
          Close
        </button>
      )}
      {send.error && <Alert>{send.error}</Alert>}
      {notice && <Alert kind="info">{notice}</Alert>}
    </form>
  );
}
