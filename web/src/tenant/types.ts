/** What the tenant portal reads from the API (src/http/routes/tenants.ts, tenant-portal.ts). */
export interface Contact {
  id: string;
  tenantId: string;
  name: string;
  email: string;
  language: string;
  confirmedAt: string | null;
}

export interface QueuedTest {
  id: string;
  contactId: string;
  queuedAt: string;
  expiresAt: string;
}

export interface TenantNotice {
  id: string;
  investigationId: string;
  audience: string;
  phase: number;
  status: string;
  subject: string;
  approvedAt: string | null;
  sentAt: string | null;
  delivery: Record<string, number>;
}

export interface NoticeText {
  id: string;
  subject: string;
  body: string;
  status: string;
}

export interface Report {
  id: string;
  title: string;
  description: string | null;
  severity: string | null;
  occurredAt: string | null;
  receivedAt: string | null;
}

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'de', label: 'German' },
  { code: 'fr', label: 'French' },
] as const;

export const contactsKey = (tenantId: string) => ['tenant', tenantId, 'contacts'];
export const noticesKey = (tenantId: string) => ['tenant', tenantId, 'notices'];
export const reportsKey = ['reports', 'mine'];

/** The portal has no live stream (docs/console.md): what it shows is refetched this often. */
export const PORTAL_REFRESH_MS = 30_000;
