/**
 * `breachdesk resend-notice` and `breachdesk hold approve` as an operator runs them (review 19,
 * items 3 and 8): the real command line in process, on a PGlite folder and, when DATABASE_URL
 * is set, on a fresh PostgreSQL database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { main } from '../../src/cli/main.ts';
import { approveNotice } from '../../src/notify/approve.ts';
import { approveHold, requestHold } from '../../src/notify/holds.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { breachContacts, outbox } from '../../src/store/schema.ts';
import { declaredInvestigation, manager, noticeOf } from '../notify/declared-investigation.ts';

const BASE_URL = process.env.DATABASE_URL ?? '';

interface Target {
  args: string[];
  databaseUrl: string | null;
  dispose(): Promise<void>;
}

async function pgliteTarget(): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'bd-cli-notices-'));
  return {
    args: ['--data-dir', dir],
    databaseUrl: null,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

async function postgresTarget(): Promise<Target> {
  const name = `bd_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;

  return {
    args: [],
    databaseUrl: url.toString(),
    dispose: async () => {
      const c = new pg.Client({ connectionString: BASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

const targets = [
  { name: 'pglite', make: pgliteTarget, skip: false },
  { name: 'postgres', make: postgresTarget, skip: !BASE_URL },
];

for (const { name, make, skip } of targets) {
  describe.skipIf(skip)(`breachdesk resend-notice and hold approve [${name}]`, () => {
    let target: Target;
    let noticeId: string;

    async function withStore<T>(run: (store: Store) => Promise<T>): Promise<T> {
      const store = await openStore(
        target.databaseUrl
          ? { databaseUrl: target.databaseUrl }
          : { dataDir: target.args[1] ?? '' },
      );
      try {
        return await run(store);
      } finally {
        await store.close();
      }
    }

    async function cli(...args: string[]) {
      if (target.databaseUrl) process.env.DATABASE_URL = target.databaseUrl;
      else delete process.env.DATABASE_URL;
      const out: string[] = [];
      let err = '';
      const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
        out.push(String(line));
      });
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        err += String(chunk);
        return true;
      });
      try {
        const code = await main(['node', 'breachdesk', ...target.args, ...args]);
        return { code, out, err };
      } finally {
        log.mockRestore();
        stderr.mockRestore();
      }
    }

    beforeEach(async () => {
      target = await make();
      noticeId = await withStore(async ({ db }) => {
        const id = await declaredInvestigation(db, { hanamori: {} });
        return (await noticeOf(db, id, 'hanamori', 'tenant')).id;
      });
    });
    afterEach(async () => {
      await target.dispose();
      if (BASE_URL) process.env.DATABASE_URL = BASE_URL;
    });

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
