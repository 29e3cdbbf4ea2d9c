import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/domain/errors.ts';

it('lists every error code with its status in docs/errors.md', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  for (const [code, status] of Object.entries(ERROR_CODES)) {
    expect(doc).toContain(`| \`${code}\` | ${status} |`);
  }
});
