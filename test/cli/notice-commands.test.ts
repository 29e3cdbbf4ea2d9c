/**
 * `breachdesk resend-notice` and `breachdesk hold approve` as an operator runs them (review 19,
 * items 3 and 8): the real command line in process, on a PGlite folder and, when DATABASE_URL
 * is set, on a fresh PostgreSQL database.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { approveNotice } from '../../src/notify/approve.ts';
import { approveHold, requestHold } from '../../src/notify/holds.ts';
import type { Store } from '../../src/store/db.ts';
import { breachContacts, outbox } from '../../src/store/schema.ts';
import { declaredInvestigation, manager, noticeOf } from '../notify/declared-investigation.ts';
import { CLI_TARGETS, type CliTarget } from '../support/cli-target.ts';

for (const { name, make, skip } of CLI_TARGETS) {
  describe.skipIf(skip)(`breachdesk resend-notice and hold approve [${name}]`, () => {
    let target: CliTarget;
    let noticeId: string;

    beforeEach(async () => {
      target = await make();
      noticeId = await withStore(async ({ db }) => {
        const id = await declaredInvestigation(db, { hanamori: {} });
        return (await noticeOf(db, id, 'hanamori', 'tenant')).id;
      });
    });
    afterEach(async () => {
      await target.dispose();
    });

    const withStore = <T>(use: (store: Store) => Promise<T>) => target.withStore(use);
    const cli = (...args: string[]) => target.run(...args);

    it('resends a notice nobody received to a contact that has no message of it yet', async () => {
      await withStore(async ({ db }) => {
        await approveNotice(db, manager, noticeId);
        // As the worker leaves it after a 550 from the only contact.
        await db.update(outbox).set({ status: 'failed' }).where(eq(outbox.noticeId, noticeId));
        await db.insert(breachContacts).values({
          id: 'legacy-contact',
          tenantId: 'hanamori',
          name: 'New DPO',
          email: 'newdpo@hanamori.example',
          createdAt: new Date().toISOString(),
        });
      });

      const first = await cli('resend-notice', noticeId);
      const second = await cli('resend-notice', noticeId);

      expect([first.code, first.out]).toEqual([0, ['resent; 1 messages queued']]);
      expect(second.code).toBe(2);
      expect(second.err).toContain('BD_NOTICE_NO_RECIPIENTS');
    });

    it('refuses a second hold approval by the same person under a padded name', async () => {
      const holdId = await withStore(async ({ db }) => {
        const hold = await requestHold(db, manager, noticeId, {
          ground: 'risk_to_other_customers',
          reason: 'the adversary still holds a session',
          reviewAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        });
        await approveHold(db, cliActor('legal', 'lea'), hold.id);
        return hold.id;
      });

      const res = await cli(
        'hold',
        'approve',
        holdId,
        '--role',
        'executive_incident_manager',
        '--as',
        ' lea',
      );

      expect(res.code).toBe(2);
      expect(res.err).toContain('BD_HOLD_FORBIDDEN');
    });
  });
}
