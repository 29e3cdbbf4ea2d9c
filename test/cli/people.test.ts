/**
 * `breachdesk people` as an operator runs it: the real command line in process on a PGlite
 * folder, with standard input replaced by a stream for --password-stdin.
 */
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyAuditLog } from '../../src/audit/log.ts';
import { personByEmail } from '../../src/auth/people.ts';
import { verifyPassword } from '../../src/auth/passwords.ts';
import { auditLog, sessions } from '../../src/store/schema.ts';
import { cliFolder, type CliFolder } from '../support/cli-run.ts';

const PASSWORD = 'correct horse battery staple';

function withStdin(text: string) {
  return vi.spyOn(process, 'stdin', 'get').mockReturnValue(Readable.from([text]) as never);
}

describe('breachdesk people', () => {
  let cli: CliFolder;

  beforeEach(async () => {
    cli = await cliFolder();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await cli.dispose();
  });

  it('adds a person with a password from stdin and prints no secret', async () => {
    withStdin(`${PASSWORD}\n`);
    const run = await cli.run(
      'people',
      'add',
      '--email',
      'Ada@Provider.example',
      '--name',
      'Ada',
      '--role',
      'admin',
      '--password-stdin',
    );
    expect(run.code).toBe(0);
    expect(run.out.join('\n')).toMatch(/^added \S+ ada@provider\.example admin "Ada" active$/);

    const row = await cli.withStore(({ db }) => personByEmail(db, 'ada@provider.example'));
    expect(await verifyPassword(row?.passwordHash ?? null, PASSWORD)).toBe(true);
    expect(run.out.join('\n') + run.err).not.toContain('argon2');
  });

  it('prints a one-time set-password token when no password is given', async () => {
    const run = await cli.run(
      'people',
      'add',
      '--email',
      'bo@provider.example',
      '--name',
      'Bo',
      '--role',
      'responder',
      '--json',
    );
    const printed = JSON.parse(run.out[0] ?? '{}');
    expect(printed.person).toMatchObject({ email: 'bo@provider.example', hasPassword: false });
    expect(printed.setPassword.token).toMatch(/^bdset_[\w-]{43}$/);
    expect(JSON.stringify(printed)).not.toContain('Hash');
  });

  it('refuses a short password and stores nobody', async () => {
    withStdin('too short\n');
    const run = await cli.run(
      'people',
      'add',
      '--email',
      'cy@provider.example',
      '--name',
      'Cy',
      '--role',
      'legal',
      '--password-stdin',
    );
    expect(run.code).toBe(2);
    expect(run.err).toContain('BD_REQUEST_INVALID');
    expect((await cli.run('people', 'list', '--json')).out[0]).toBe('[]');
  });

  it('refuses a tenant admin without a tenant', async () => {
    const run = await cli.run(
      'people',
      'add',
      '--email',
      'ta@acme.example',
      '--name',
      'Ta',
      '--role',
      'tenant_admin',
    );
    expect(run.code).toBe(2);
    expect(run.err).toContain('(field: tenant)');
  });

  it.each([
    ['a terminal escape', 'Eve\u001b]0;owned\u0007'],
    ['a line break', 'Eve\nAdmin'],
    ['a bidi override', 'Eve\u202Enimda'],
    ['nothing visible', '\u200B\u00A0'],
  ])('refuses a name with %s and stores nobody', async (_, name) => {
    const run = await cli.run(
      'people',
      'add',
      '--email',
      'eve@provider.example',
      '--name',
      name,
      '--role',
      'responder',
    );
    expect(run.code).toBe(2);
    expect(run.err).toContain('(field: name)');
    expect(await cli.withStore((s) => personByEmail(s.db, 'eve@provider.example'))).toBeNull();
  });

  it('lists, disables and sets passwords, auditing each change; the chain verifies', async () => {
    const added = await cli.run(
      'people',
      'add',
      '--email',
      'di@provider.example',
      '--name',
      'Di',
      '--role',
      'auditor',
      '--json',
    );
    const id = JSON.parse(added.out[0] ?? '{}').person.id as string;

    withStdin(PASSWORD);
    expect((await cli.run('people', 'set-password', id, '--password-stdin')).code).toBe(0);
    expect((await cli.run('people', 'disable', id)).code).toBe(0);
    const listed = JSON.parse((await cli.run('people', 'list', '--json')).out[0] ?? '[]');
    expect(listed).toMatchObject([{ id, hasPassword: true, disabledAt: expect.any(String) }]);

    const actions = await cli.withStore(async ({ db }) => {
      expect((await verifyAuditLog(db)).ok).toBe(true);
      expect(await db.select().from(sessions)).toEqual([]);
      return (await db.select().from(auditLog)).map((e) => e.action);
    });
    expect(actions).toEqual(['person.created', 'person.password_set', 'person.disabled']);
  });

  it('refuses to disable someone twice', async () => {
    const added = await cli.run(
      'people',
      'add',
      '--email',
      'ed@provider.example',
      '--name',
      'Ed',
      '--role',
      'auditor',
      '--json',
    );
    const id = JSON.parse(added.out[0] ?? '{}').person.id as string;
    await cli.run('people', 'disable', id);
    const again = await cli.run('people', 'disable', id);
    expect(again.code).toBe(2);
    expect(again.err).toContain('BD_NOT_FOUND');
  });
});

describe('breachdesk tokens create --expires-in-days', () => {
  it('issues a token that expires after the given days and refuses more than 365', async () => {
    const cli = await cliFolder();
    try {
      const before = Date.now();
      const run = await cli.run(
        'tokens',
        'create',
        '--label',
        'bot',
        '--role',
        'responder',
        '--expires-in-days',
        '7',
        '--json',
      );
      const days = (Date.parse(JSON.parse(run.out[0] ?? '{}').expiresAt) - before) / 86_400_000;
      expect(Math.round(days)).toBe(7);

      const tooLong = await cli.run(
        'tokens',
        'create',
        '--label',
        'bot',
        '--role',
        'responder',
        '--expires-in-days',
        '400',
      );
      expect(tooLong.code).toBe(2);
      expect(tooLong.err).toContain('expiresInDays');
    } finally {
      await cli.dispose();
    }
  });
});
