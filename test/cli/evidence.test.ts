/**
 * `breachdesk evidence` as an operator runs it: the real command line in process, on a PGlite
 * folder and, when DATABASE_URL is set, on a fresh PostgreSQL database. The package folder is
 * checked with the ordinary `sha256sum -c`, and refusals leave no folder and no record.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import {
  type EvidenceCase,
  evidenceAudit,
  evidenceSnapshot,
  seedEvidenceCase,
} from '../support/evidence-fixtures.ts';

const BASE_URL = process.env.DATABASE_URL ?? '';
const DAY = 86_400_000;
const run = promisify(execFile);

interface Target {
  args: string[];
  databaseUrl: string | null;
  dispose(): Promise<void>;
}

function pgliteTarget(dir: string): Promise<Target> {
  const args = ['--data-dir', join(dir, 'data')];
  return Promise.resolve({ args, databaseUrl: null, dispose: () => Promise.resolve() });
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
  describe.skipIf(skip)(`breachdesk evidence [${name}]`, () => {
    let dir: string;
    let target: Target;
    let ev: EvidenceCase;
    let ref: string;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'bd-cli-evidence-'));
      target = await make(dir);
      ev = await withStore((s) => seedEvidenceCase(s.db));
      ref = ev.investigationId;
    });
    afterEach(async () => {
      await target.dispose();
      await rm(dir, { recursive: true, force: true });
      if (BASE_URL) process.env.DATABASE_URL = BASE_URL;
    });

    async function withStore<T>(use: (store: Store) => Promise<T>): Promise<T> {
      const store = await openStore(
        target.databaseUrl
          ? { databaseUrl: target.databaseUrl }
          : { dataDir: target.args[1] ?? '' },
      );
      try {
        return await use(store);
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

    async function approve(...extra: string[]): Promise<string> {
      const res = await cli(
        'evidence',
        'approve',
        ref,
        '--kinds',
        'files,signals,scoping',
        '--reason',
        'the customer CERT needs the attachments',
        '--recipient',
        'CERT of acme GmbH',
        '--as',
        'ines',
        ...extra,
      );
      expect(res.err).toBe('');
      return (JSON.parse(res.out.join('\n')) as { id: string }).id;
    }

    const snap = () => withStore((s) => evidenceSnapshot(s.db));

    it('refuses an export without a valid approval, writing and storing nothing', async () => {
      const out = join(dir, 'package');
      const before = await snap();

      const res = await cli('evidence', 'export', ref, '--approval', 'none', '--out', out);

      expect([res.code, res.err]).toEqual([
        2,
        expect.stringMatching(/^error BD_EXPORT_NOT_APPROVED/),
      ]);
      expect(existsSync(out)).toBe(false);
      expect(await readdir(dir)).not.toContainEqual(expect.stringMatching(/^package/));
      expect(await snap()).toEqual(before);
    });

    it('refuses an export under a revoked approval, writing and storing nothing', async () => {
      const approvalId = await approve();
      const revoked = await cli(
        'evidence',
        'revoke',
        ref,
        '--approval',
        approvalId,
        '--as',
        'ines',
      );
      expect(revoked.code).toBe(0);
      const out = join(dir, 'package');
      const before = await snap();

      const res = await cli('evidence', 'export', ref, '--approval', approvalId, '--out', out);

      expect(res.err).toMatch(/^error BD_EXPORT_NOT_APPROVED: approval \S+ was revoked/);
      expect(existsSync(out)).toBe(false);
      expect(await snap()).toEqual(before);
    });

    it('refuses an approval by a responder', async () => {
      const before = await snap();

      const res = await cli(
        'evidence',
        'approve',
        ref,
        '--kinds',
        'files',
        '--reason',
        'the customer CERT needs it',
        '--recipient',
        'CERT',
        '--role',
        'responder',
      );

      expect([res.code, res.err]).toEqual([2, expect.stringMatching(/^error BD_AUTH_FORBIDDEN/)]);
      expect(await snap()).toEqual(before);
    });

    it('refuses an expiry beyond 30 days naming the field', async () => {
      const expiresAt = new Date(Date.now() + 40 * DAY).toISOString();

      const res = await cli(
        'evidence',
        'approve',
        ref,
        '--kinds',
        'files',
        '--reason',
        'the customer CERT needs it',
        '--recipient',
        'CERT',
        '--expires-at',
        expiresAt,
      );

      expect(res.err).toMatch(/^error BD_EVIDENCE_INVALID: .*\(field: expiresAt\)/);
    });

    it('writes a folder that sha256sum -c verifies, recorded and audited', async () => {
      const approvalId = await approve();
      const out = join(dir, 'package');

      const res = await cli(
        'evidence',
        'export',
        ref,
        '--approval',
        approvalId,
        '--out',
        out,
        '--json',
      );

      expect(res.code).toBe(0);
      const record = JSON.parse(res.out.join('\n')) as { id: string; manifestSha256: string };
      const checked = await run('sha256sum', ['-c', '--strict', 'SHA256SUMS'], { cwd: out });
      expect(checked.stdout).toMatch(/^MANIFEST\.json: OK$/m);
      expect(checked.stdout).not.toMatch(/FAILED/);
      const manifest = JSON.parse(await readFile(join(out, 'MANIFEST.json'), 'utf8')) as {
        approval: { id: string; recipient: string };
        entries: { path: string }[];
      };
      expect(manifest.approval).toMatchObject({ id: approvalId, recipient: 'CERT of acme GmbH' });
      expect((await readdir(join(out, 'files'))).sort()).toEqual(
        manifest.entries
          .map((e) => e.path)
          .filter((p) => p.startsWith('files/'))
          .map((p) => p.slice('files/'.length))
          .sort(),
      );
      const audit = await withStore((s) => evidenceAudit(s.db));
      expect(audit.map((a) => [a.action, a.data.manifestSha256 ?? null])).toEqual([
        ['evidence.export_approved', null],
        ['evidence.exported', record.manifestSha256],
      ]);
    });

    it('refuses an --out that is a non-empty folder or a link, leaving it as it was', async () => {
      const approvalId = await approve();
      const full = join(dir, 'full');
      await mkdir(full);
      await writeFile(join(full, 'keep.txt'), 'mine');
      const elsewhere = join(dir, 'elsewhere');
      await mkdir(elsewhere);
      const link = join(dir, 'link');
      await symlink(elsewhere, link);
      const before = await snap();

      const intoFull = await cli(
        'evidence',
        'export',
        ref,
        '--approval',
        approvalId,
        '--out',
        full,
      );
      const intoLink = await cli(
        'evidence',
        'export',
        ref,
        '--approval',
        approvalId,
        '--out',
        link,
      );

      expect(intoFull.err).toMatch(/^error BD_REQUEST_INVALID: .* is not empty.*\(field: out\)/);
      expect(intoLink.err).toMatch(/^error BD_REQUEST_INVALID: .* is not a folder.*\(field: out\)/);
      expect(await readdir(full)).toEqual(['keep.txt']);
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      expect(await readdir(elsewhere)).toEqual([]);
      expect(await snap()).toEqual(before);
    });

    it('writes into an existing empty folder and lists the export', async () => {
      const approvalId = await approve();
      const out = join(dir, 'empty');
      await mkdir(out);

      const res = await cli('evidence', 'export', ref, '--approval', approvalId, '--out', out);
      const listed = await cli('evidence', 'list', ref);

      expect(res.code).toBe(0);
      expect((await readdir(out)).sort()).toEqual(
        ['MANIFEST.json', 'SHA256SUMS', 'files', 'scoping.json', 'signals.ndjson'].sort(),
      );
      const log = JSON.parse(listed.out.join('\n')) as {
        approvals: { id: string; state: string }[];
        exports: { approvalId: string }[];
      };
      expect(log.approvals.map((a) => [a.id, a.state])).toEqual([[approvalId, 'active']]);
      expect(log.exports.map((e) => e.approvalId)).toEqual([approvalId]);
    });
  });
}
