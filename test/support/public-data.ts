/**
 * Where the real public sample files are: ../shared/data/public beside the repository, or the
 * folder named by BREACHDESK_PUBLIC_DATA (for a clone placed elsewhere). Tests that need them
 * skip with a message when neither exists.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PUBLIC_DATA = resolve(
  process.env.BREACHDESK_PUBLIC_DATA ||
    fileURLToPath(new URL('../../../shared/data/public', import.meta.url)),
);

export const hasPublicData = existsSync(PUBLIC_DATA);

if (!hasPublicData && !process.env.BREACHDESK_QUIET_SKIP) {
  process.stderr.write(
    `${PUBLIC_DATA} not found: real-data tests skipped (set BREACHDESK_PUBLIC_DATA to its path)\n`,
  );
}
