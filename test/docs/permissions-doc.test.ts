import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import {
  PERMISSIONS_DOC,
  registeredRoutes,
  renderPermissionsDoc,
} from '../../scripts/permissions-doc.ts';

it('keeps docs/permissions.md as the policy and the routes generate it', async () => {
  const fresh = await renderPermissionsDoc(await registeredRoutes());
  const committed = readFileSync(PERMISSIONS_DOC, 'utf8');

  expect(
    committed === fresh,
    'docs/permissions.md is stale: run `node --import tsx scripts/permissions-doc.ts`',
  ).toBe(true);
});
