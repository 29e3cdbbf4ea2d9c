import { z } from 'zod';
import { addContact, editContact, listContacts, removeContact } from '../../tenants/contacts.ts';
import { importTenants } from '../../tenants/import.ts';
import { type BreachdeskApp, requireActor, type RouteDeps } from '../server.ts';

const contact = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  email: z.string(),
  language: z.string(),
  confirmedAt: z.string().nullable(),
});
const tenantParams = z.object({ tenantId: z.string().max(100) });

export function registerTenantRoutes(app: BreachdeskApp, { db }: RouteDeps): void {
  app.post(
    '/api/v1/tenants/import',
    {
      config: { action: 'tenants.import' },
      schema: { summary: 'Create or replace tenants from a JSON description', body: z.unknown() },
    },
    async (request) => importTenants(db, request.body, requireActor(request)),
  );

  app.get(
    '/api/v1/tenants/:tenantId/contacts',
    {
      config: { action: 'breach_contacts.read' },
      schema: {
        summary: "A tenant's breach contacts",
        params: tenantParams,
        response: { 200: z.array(contact) },
      },
    },
    async (request) => listContacts(db, requireActor(request), request.params.tenantId),
  );

  app.post(
    '/api/v1/tenants/:tenantId/contacts',
    {
      config: { action: 'breach_contacts.write' },
      schema: {
        summary: 'Add a breach contact (tenant admin of that tenant, or administrator)',
        params: tenantParams,
        // Loose, so that an unknown field reaches addContact and is refused there by name.
        body: z.looseObject({
          name: z.string(),
          email: z.string(),
          language: z.string().optional(),
        }),
        response: { 201: contact },
      },
    },
    async (request, reply) => {
      const created = await addContact(
        db,
        requireActor(request),
        request.params.tenantId,
        request.body,
      );
      return reply.status(201).send(created);
    },
  );

  app.patch(
    '/api/v1/tenants/:tenantId/contacts/:contactId',
    {
      config: { action: 'breach_contacts.write' },
      schema: {
        summary:
          'Change a breach contact: { name?, email?, language? }; a new address makes it a ' +
          'new, unconfirmed contact with a new id',
        params: tenantParams.extend({ contactId: z.string().max(100) }),
        body: z.unknown(),
        response: { 200: contact },
      },
    },
    async (request) => {
      const { tenantId, contactId } = request.params;
      return editContact(db, requireActor(request), tenantId, contactId, request.body);
    },
  );

  app.delete(
    '/api/v1/tenants/:tenantId/contacts/:contactId',
    {
      config: { action: 'breach_contacts.write' },
      schema: {
        summary: 'Remove a breach contact',
        params: tenantParams.extend({ contactId: z.string().max(100) }),
      },
    },
    async (request, reply) => {
      const { tenantId, contactId } = request.params;
      await removeContact(db, requireActor(request), tenantId, contactId);
      return reply.status(204).send();
    },
  );
}
