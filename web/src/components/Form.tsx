import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/** A labelled input: the label's text is the control's accessible name. */
export function Field(props: {
  label: string;
  name: string;
  type?: 'text' | 'email' | 'password' | 'search' | 'number' | 'url';
  value: string;
  onInput: (value: string) => void;
  autoComplete?: string;
  required?: boolean;
  minLength?: number;
}) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <input
        name={props.name}
        // One cast for the variable type: preact's input typing narrows by a literal `type`.
        {...({ type: props.type ?? 'text' } as { type: 'text' })}
        value={props.value}
        autoComplete={props.autoComplete}
        required={props.required}
        minLength={props.minLength}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </label>
  );
}

/**
 * A password input. `purpose` tells the browser's password manager whether to fill a saved password
 * (`current`) or offer a new one (`new`, at least the server's 8 characters).
 */
export function PasswordField(props: {
  label?: string;
  purpose: 'current' | 'new';
  value: string;
  onInput: (value: string) => void;
}) {
  const isNew = props.purpose === 'new';
  return (
    <Field
      label={props.label ?? 'Password'}
      name="password"
      type="password"
      value={props.value}
      onInput={props.onInput}
      autoComplete={isNew ? 'new-password' : 'current-password'}
      minLength={isNew ? 8 : undefined}
      required
    />
  );
}

/** A labelled select; `onChange` gets the chosen value. */
export function SelectField<V extends string>(props: {
  label: string;
  name?: string;
  options: readonly (V | { value: V; text: string })[];
  value: V;
  disabled?: boolean;
  onChange: (value: V) => void;
}) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <select
        name={props.name}
        value={props.value}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.currentTarget.value as V)}
      >
        {props.options.map((o) => {
          const { value, text } = typeof o === 'string' ? { value: o, text: o } : o;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
    </label>
  );
}

/** An error or notice read out by screen readers when it appears. */
export function Alert(props: { children: ComponentChildren; kind?: 'error' | 'info' }) {
  return (
    <p role={props.kind === 'info' ? 'status' : 'alert'} class={`alert ${props.kind ?? 'error'}`}>
      {props.children}
    </p>
  );
}

/**
 * Runs an async action for a form or a button: `busy` while it runs, `error` with the server's message when
 * it fails. Pages use it so every failure is shown, never swallowed.
 */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      await action(...args);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}

/**
 * A form that runs its action on submit: the fields, then the action's error (or `notice` when there is one),
 * then the submit button, disabled while the action runs.
 */
export function ActionForm(props: {
  action: { busy: boolean; error?: string; run: () => Promise<void> };
  submit: string;
  children: ComponentChildren;
  notice?: ComponentChildren;
  label?: string;
  class?: string;
}) {
  return (
    <form
      aria-label={props.label}
      class={props.class}
      onSubmit={(e) => {
        e.preventDefault();
        void props.action.run();
      }}
    >
      {props.children}
      {props.action.error && <Alert>{props.action.error}</Alert>}
      {props.notice && <Alert kind="info">{props.notice}</Alert>}
      <button type="submit" disabled={props.action.busy}>
        {props.submit}
      </button>
    </form>
  );
}

/** A small page with one heading: sign-in, sign-up, password reset. */
export function NarrowPage(props: { title: string; children: ComponentChildren }) {
  return (
    <section class="narrow">
      <h1>{props.title}</h1>
      {props.children}
    </section>
  );
}

/** A labelled file chooser; `onFiles` gets the chosen files (empty when the choice is cleared). */
export function FileField(props: {
  label: string;
  name: string;
  accept?: string;
  multiple?: boolean;
  onFiles: (files: File[]) => void;
}) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <input
        type="file"
        name={props.name}
        accept={props.accept}
        multiple={props.multiple}
        onChange={(e) => props.onFiles(Array.from(e.currentTarget.files ?? []))}
      />
    </label>
  );
}

/** When a message was written, as the time of day (the full date in `dateTime` for assistive tools). */
export function MessageTime({ at }: { at: string }) {
  return (
    <time class="muted" dateTime={at}>
      {' '}
      {new Date(at).toLocaleTimeString()}
    </time>
  );
}
