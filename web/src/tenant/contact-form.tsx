/** The fields of a breach contact, for adding one or changing one. */
import { type FormEvent, useId, useState } from 'react';
import { LANGUAGES } from './types.ts';

export interface ContactFields {
  name: string;
  email: string;
  language: string;
}

export function ContactForm(props: {
  initial: ContactFields;
  submitLabel: string;
  busy: boolean;
  onSubmit: (fields: ContactFields) => void;
  onCancel?: () => void;
}) {
  const id = useId();
  const [fields, setFields] = useState(props.initial);
  const set = (key: keyof ContactFields) => (value: string) =>
    setFields((f) => ({ ...f, [key]: value }));

  function submit(e: FormEvent) {
    e.preventDefault();
    props.onSubmit(fields);
  }

  return (
    <form className="stack tp-contact-form" onSubmit={submit} noValidate>
      <label htmlFor={`${id}-name`}>Name</label>
      <input
        id={`${id}-name`}
        value={fields.name}
        onChange={(e) => set('name')(e.target.value)}
        autoComplete="off"
        required
      />
      <label htmlFor={`${id}-email`}>E-mail address</label>
      <input
        id={`${id}-email`}
        type="email"
        value={fields.email}
        onChange={(e) => set('email')(e.target.value)}
        autoComplete="off"
        required
      />
      <label htmlFor={`${id}-language`}>Language of notices</label>
      <select
        id={`${id}-language`}
        value={fields.language}
        onChange={(e) => set('language')(e.target.value)}
      >
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code}>
            {l.label}
          </option>
        ))}
      </select>
      <div className="row">
        <button type="submit" disabled={props.busy}>
          {props.submitLabel}
        </button>
        {props.onCancel && (
          <button type="button" className="secondary" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
