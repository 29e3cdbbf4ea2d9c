/**
 * `breachdesk report INV-n --format json|pdf --out FILE`: the regulator report of one
 * investigation. JSON goes to stdout when no --out is given; a PDF is binary and needs --out.
 */
import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { fail } from '../domain/errors.ts';
import { resolveInvestigationId } from '../investigations/workflow.ts';
import { buildRegulatorReport } from '../notify/report.ts';
import { withStore } from './data-commands.ts';

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('regulator report of an investigation, as JSON or PDF')
    .argument('<investigation>', 'id or INV-n')
    .addOption(
      new Option('--format <format>', 'json or pdf')
        .choices(['json', 'pdf'])
        .default('json')
        .env('BREACHDESK_REPORT_FORMAT'),
    )
    .addOption(new Option('--out <file>', 'write to this file (required for pdf)'))
    .action(async (ref: string, opts: { format: 'json' | 'pdf'; out?: string }) => {
      if (opts.format === 'pdf' && !opts.out) {
        fail('BD_REQUEST_INVALID', '--out FILE is required with --format pdf', 'out');
      }

      await withStore(program.opts(), async ({ db }) => {
        const report = await buildRegulatorReport(db, await resolveInvestigationId(db, ref));
        const bytes =
          opts.format === 'pdf'
            ? await (await import('../notify/report-pdf.ts')).renderReportPdf(report)
            : Buffer.from(`${JSON.stringify(report, null, 2)}\n`);

        if (!opts.out) return void process.stdout.write(bytes);
        await writeFile(opts.out, bytes);
        process.stderr.write(`report: ${report.investigation.ref} written to ${opts.out}\n`);
      });
    });
}
