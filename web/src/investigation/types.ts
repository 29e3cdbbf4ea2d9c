/** The investigation as GET /api/v1/investigations/:id returns it (src/investigations/read.ts). */
import type { Rating } from '../../../src/domain/rating.ts';
import type { Classification, Stage } from '../../../src/domain/types.ts';

export interface AffectedTenant {
  tenantId: string;
  tenantName: string;
  language: string;
  events: number;
  resources: number;
  objects: number;
  subjects: number | null;
  firstAccess: string;
  lastAccess: string;
  actions: string[];
  /** Distinct events per bucket; null for runs stored before it was kept. */
  activity: { bucket: 'hour' | 'day' | 'week'; counts: { at: string; events: number }[] } | null;
  sampleObjects: string[];
}

export interface Clock {
  id: string;
  regime: string;
  filing: string;
  tenantId: string | null;
  recipient: string;
  startsAt: string | null;
  due: string | null;
  status: string;
  metAt: string | null;
  lateSince: string | null;
  isLate: boolean;
}

export interface Notice {
  id: string;
  tenantId: string;
  audience: string;
  status: string;
  subject: string;
  approvedBy: string | null;
  approvedAt: string | null;
}

export interface Delivery {
  noticeId: string;
  tenantId: string;
  audience: string;
  recipientKind: string;
  recipientEmail: string;
  status: string;
  attempts: number;
  lastResponse: string | null;
  sentAt: string | null;
}

export interface InvestigationDetail {
  id: string;
  ref: string;
  title: string;
  stage: Stage;
  severity: string;
  priority: string | null;
  classification: Classification | null;
  rootCause: string | null;
  sourceKind: string;
  signalCount: number;
  openedAt: string;
  awareAt: string | null;
  declaredAt: string | null;
  rating: Rating | null;
  declaration: { grounds: string[]; evidence: string; declaredBy: string } | null;
  postmortem: unknown;
  ratings: { rating: Rating; actor: string; reason: string | null; at: string }[];
  transitions: { from: Stage; to: Stage; actor: string; reason: string; at: string }[];
  scoping: { runId: string | null; tenants: AffectedTenant[] };
  clocks: Clock[];
  notices: Notice[];
  deliveries: Delivery[];
  notificationState: { tenantId: string; state: string }[];
}

export interface Hold {
  id: string;
  noticeId: string;
  ground: string;
  reason: string;
  reviewAt: string;
  requestedBy: string;
  legalApprover: string | null;
  executiveApprover: string | null;
  state: 'requested' | 'partially_approved' | 'effective' | 'released';
  reviewDue: boolean;
}
