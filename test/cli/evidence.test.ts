/**
 * `breachdesk evidence` as an operator runs it: the real command line in process, on a PGlite
 * folder and, when DATABASE_URL is set, on a fresh PostgreSQL database. The package folder is
 * checked with the ordinary `sha256sum -c`, and refusals leave no folder and no record.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import {
  type EvidenceCase,
  evidenceAudit,
  evidenceSnapshot,
  seedEvidenceCase,
} from '../support/evidence-fixtures.ts';
import { CLI_TARGETS, type CliTarget } from '../support/cli-target.ts';

const DAY = 86_400_000;
const run = promisify(execFile);

for (const { name, make, skip } of CLI_TARGETS) {
  describe.skipIf(skip)(`breachdesk evidence [${name}]`, () => {
    let dir: string;
    let target: CliTarget;
    let ev: EvidenceCase;
    let ref: string;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'bd-cli-evidence-'));
      target = await make();
      ev = await withStore((s) => seedEvidenceCase(s.db));
      ref = ev.investigationId;
    });
    afterEach(async () => {
      await target.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    const withStore = <T>(use: (store: Store) => Promise<T>) => target.withStore(use);
    const cli = (...args: string[]) => target.run(...args);

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
