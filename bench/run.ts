/**
 * `npm run bench -- NAME [--quick]`: runs a benchmark's product and baseline in the same run,
 * several rounds, and ends with one JSON line of medians.
 */
import { ingestBench, ingestLargeFileBench } from './ingest.ts';
import { notifyFanoutBench } from './notify-fanout.ts';

export interface BenchResult {
  bench: string;
  unit: string;
  product: number;
  baseline: number;
  ratio: number;
}

const BENCHES: Record<string, (quick: boolean) => Promise<BenchResult>> = {
  ingest: ingestBench,
  'ingest-1gb': ingestLargeFileBench,
  'notify-fanout': notifyFanoutBench,
};

const name = process.argv[2];
const quick = process.argv.includes('--quick');
const run = name ? BENCHES[name] : undefined;
if (!run) {
  console.error(
    `usage: npm run bench -- NAME [--quick]; NAME is one of ${Object.keys(BENCHES).join(', ')}`,
  );
  process.exit(2);
}

const result = await run(quick);
console.log(JSON.stringify(result));
