/**
 * The tenant's breach contacts: who receives its breach notices. Each can be changed,
 * removed, or sent a test e-mail whose one-time link confirms that the address reaches
 * someone; the list shows which addresses are confirmed and since when.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api.ts';
import { ErrorNote } from '../components/error-note.tsx';
import { ContactForm, type ContactFields } from './contact-form.tsx';
import { Modal } from './modal.tsx';
import { type Contact, contactsKey, LANGUAGES, type QueuedTest } from './types.ts';
import { When } from './when.tsx';

const base = (tenantId: string) => `/api/v1/tenants/${encodeURIComponent(tenantId)}/contacts`;

function languageName(code: string): string {
  return LANGUAGES.find((l) => l.code === code)?.label ?? code;
}

function Confirmation({ contact }: { contact: Contact }) {
  if (!contact.confirmedAt) return <span className="badge tp-unconfirmed">Not confirmed</span>;
  return (
    <span>
      <span className="badge tp-confirmed">Confirmed</span> <When at={contact.confirmedAt} />
    </span>
  );
}

function ContactItem({ tenantId, contact }: { tenantId: string; contact: Contact }) {
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [removing, setRemoving] = useState(false);
  const url = `${base(tenantId)}/${encodeURIComponent(contact.id)}`;
  const refresh = () => client.invalidateQueries({ queryKey: contactsKey(tenantId) });

  const edit = useMutation({
    mutationFn: (fields: ContactFields) => api.patch<Contact>(url, fields),
    onSuccess: async () => {
      setEditing(false);
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => api.delete<void>(url),
    onSuccess: refresh,
  });
  const test = useMutation({ mutationFn: () => api.post<QueuedTest>(`${url}/test-email`) });

  return (
    <li className="panel tp-contact">
      <h3>{contact.name}</h3>
      <p className="tp-email">{contact.email}</p>
      <p className="muted">Notices in {languageName(contact.language)}</p>
      <p>
        <Confirmation contact={contact} />
      </p>
      <div className="row">
        <button type="button" className="secondary" onClick={() => setEditing(true)}>
          Edit<span className="visually-hidden"> {contact.name}</span>
        </button>
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
          Send test e-mail<span className="visually-hidden"> to {contact.name}</span>
        </button>
        <button type="button" className="danger" onClick={() => setRemoving(true)}>
          Remove<span className="visually-hidden"> {contact.name}</span>
        </button>
      </div>
      <div aria-live="polite">
        {test.data && (
          <p className="ok">
            Test e-mail queued for {contact.email}. Its link confirms the address once, until{' '}
            <When at={test.data.expiresAt} />.
          </p>
        )}
      </div>
      <ErrorNote error={test.error ?? remove.error} />

      {editing && (
        <Modal title={`Edit ${contact.name}`} onClose={() => setEditing(false)}>
          <p className="muted">A new address must be confirmed again with a test e-mail.</p>
          <ContactForm
            initial={{ name: contact.name, email: contact.email, language: contact.language }}
            submitLabel="Save contact"
            busy={edit.isPending}
            onSubmit={(fields) => edit.mutate(fields)}
            onCancel={() => setEditing(false)}
          />
          <ErrorNote error={edit.error} />
        </Modal>
      )}
      {removing && (
        <Modal title={`Remove ${contact.name}?`} onClose={() => setRemoving(false)}>
          <p>Breach notices will no longer be sent to {contact.email}.</p>
          <div className="row">
            <button
              type="button"
              className="danger"
              onClick={() => {
                setRemoving(false);
                remove.mutate();
              }}
            >
              Remove contact
            </button>
            <button type="button" className="secondary" onClick={() => setRemoving(false)}>
              Keep contact
            </button>
          </div>
        </Modal>
      )}
    </li>
  );
}

function AddContact({ tenantId }: { tenantId: string }) {
  const client = useQueryClient();
  const [round, setRound] = useState(0);
  const add = useMutation({
    mutationFn: (fields: ContactFields) => api.post<Contact>(base(tenantId), fields),
    onSuccess: async () => {
      // A fresh form for the next contact.
      setRound((r) => r + 1);
      await client.invalidateQueries({ queryKey: contactsKey(tenantId) });
    },
  });

  return (
    <section className="panel" aria-labelledby="tp-add-contact">
      <h3 id="tp-add-contact">Add a breach contact</h3>
      <ContactForm
        key={round}
        initial={{ name: '', email: '', language: 'en' }}
        submitLabel="Add contact"
        busy={add.isPending}
        onSubmit={(fields) => add.mutate(fields)}
      />
      <ErrorNote error={add.error} />
    </section>
  );
}

export function ContactsPanel({ tenantId, contacts }: { tenantId: string; contacts: Contact[] }) {
  return (
    <section className="stack" aria-labelledby="tp-contacts">
      <h2 id="tp-contacts">Breach contacts</h2>
      <p className="muted">
        Breach notices for your organisation go to these addresses. Send each a test e-mail and have
        its owner open the link, so that you know it arrives.
      </p>
      {contacts.length === 0 ? (
        <p>No breach contacts yet: nobody would receive a notice.</p>
      ) : (
        <ul className="tp-contacts">
          {contacts.map((c) => (
            <ContactItem key={c.id} tenantId={tenantId} contact={c} />
          ))}
        </ul>
      )}
      <AddContact tenantId={tenantId} />
    </section>
  );
}
