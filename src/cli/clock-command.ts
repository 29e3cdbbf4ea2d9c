/**
 * `breachdesk clock REGIME`: the deadlines of one regime from the moments given, as JSON for
 * scripts (`--json`) or as a table with the time left for people. Bad input exits 2.
 */
import { type Command, Option } from 'commander';
import { DateTime } from 'luxon';

import {
  type ClockResult,
  type ComputedFiling,
  computeFilings,
  parseFiledPairs,
} from '../domain/clock-calculator.ts';
import { parseInstant, timeLeft } from '../domain/deadlines.ts';
import { REGIME_IDS } from '../domain/regimes/index.ts';

interface ClockFlags {
  aware?: string;
  classified?: string;
  determined?: string;
  filed: string[];
  zone?: string;
  contractHours?: string;
  now?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerClockCommand(program: Command): void {
  program
    .command('clock')
    .description('deadlines of one notification regime, from the moments given')
    .argument('<regime>', REGIME_IDS.join(', '))
    .option('--aware <instant>', 'when the breach or incident became known (ISO 8601)')
    .option('--classified <instant>', 'when it was classified as major (DORA)')
    .option('--determined <instant>', 'when it was determined (SEC, NYDFS, US bank rule)')
    .option('--filed <filing=instant>', 'a filing already made (repeatable)', collect, [])
    .addOption(
      new Option('--zone <iana>', 'zone of instants written without offset').env('BREACHDESK_ZONE'),
    )
    .addOption(
      new Option('--contract-hours <n>', 'GDPR Art. 33(2) hours in the tenant contract').env(
        'BREACHDESK_CONTRACT_HOURS',
      ),
    )
    .option('--now <instant>', 'count the time left from this instant instead of now')
    .option('--json', 'print the result as JSON')
    .action((regime: string, flags: ClockFlags) => {
      const result = computeFilings(
        regime,
        {
          aware: flags.aware,
          classified: flags.classified,
          determined: flags.determined,
          filings: parseFiledPairs(flags.filed),
        },
        {
          zone: flags.zone,
          contractHours:
            flags.contractHours === undefined ? undefined : Number(flags.contractHours),
        },
      );

      if (flags.json) {
        console.log(JSON.stringify(result));
        return;
      }
      const now =
        flags.now === undefined ? new Date() : new Date(parseInstant(flags.now, 'now', flags.zone));
      console.log(renderTable(result, now));
    });
}

/** The result as a table: due in the regime's zone and in UTC, and the time left. */
export function renderTable(result: ClockResult, now: Date): string {
  const rows = result.filings.map((f) => [
    f.filing,
    f.due ? DateTime.fromISO(f.due, { zone: result.zone }).toFormat('yyyy-MM-dd HH:mm ZZ') : '-',
    f.due ?? '-',
    left(f, now),
  ]);
  const header = ['FILING', `DUE (${result.zone})`, 'DUE (UTC)', 'TIME LEFT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();

  const notes = result.filings.flatMap((f) => [
    `  ${f.filing}: ${f.window} from ${f.anchor}, ${f.from} → ${f.to}; ${f.source}`,
    ...(f.reason ? [`    note: ${f.reason}`] : []),
    ...(f.lateNeedsReasons ? ['    a late filing must state the reasons for the delay'] : []),
  ]);
  const ignored = result.ignored
    ? [`ignored (not used by ${result.regime}): ${result.ignored.join(', ')}`]
    : [];
  return [
    `${result.regime} (catalogue version ${result.version})`,
    line(header),
    ...rows.map(line),
    '',
    ...notes,
    ...ignored,
  ].join('\n');
}

function left(filing: ComputedFiling, now: Date): string {
  if (filing.filedAt !== undefined) {
    return filing.late ? `filed late (${filing.filedAt})` : `filed ${filing.filedAt}`;
  }
  if (filing.due === null) {
    return filing.window === 'without undue delay' ? 'no fixed date' : 'unknown';
  }

  const { ms, isLate } = timeLeft(filing.due, now);
  return isLate ? `late by ${duration(-ms)}` : `${duration(ms)} left`;
}

function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${mins} min`;
  return `${mins} min`;
}
