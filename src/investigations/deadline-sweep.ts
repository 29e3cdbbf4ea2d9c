/**
 * The deadline watch: reminders to the incident manager at configured points of each open
 * obligation's window, an escalation when a deadline passes unmet, and the first moment of
 * lateness recorded for good (late_since). Run by the worker loop; idempotent, so running it
 * twice, or from two workers, raises nothing twice.
 */
import { and, eq, isNotNull, notInArray } from 'drizzle-orm';
import { fail } from '../domain/errors.ts';
import { raiseStaffAlert } from '../notify/staff-alerts.ts';
import type { Db } from '../store/db.ts';
import { iso } from '../store/db.ts';
import { clocks, investigations } from '../store/schema.ts';

/** Default reminder points, in per cent of the window between the anchor and the due instant. */
export const DEFAULT_REMINDER_POINTS = [50, 75, 90];

/** BREACHDESK_REMINDER_POINTS, e.g. "50,75,90"; each a whole per cent from 1 to 99. */
export function reminderPoints(value = process.env.BREACHDESK_REMINDER_POINTS): number[] {
  if (!value) return DEFAULT_REMINDER_POINTS;
  const points = value.split(',').map((p) => Number(p.trim()));
  if (points.some((p) => !Number.isInteger(p) || p < 1 || p > 99)) {
    fail(
      'BD_CONFIG_INVALID',
      'BREACHDESK_REMINDER_POINTS must be per cents from 1 to 99',
      'reminderPoints',
    );
  }
  return [...new Set(points)].sort((a, b) => a - b);
}

export interface SweepTally {
  reminders: number;
  escalations: number;
}

/** Raises due reminders and escalations for every open, dated obligation. */
export async function sweepDeadlines(
  db: Db,
  now = new Date(),
  points = reminderPoints(),
): Promise<SweepTally> {
  const tally: SweepTally = { reminders: 0, escalations: 0 };
  const open = await db
    .select({ clock: clocks, number: investigations.number })
    .from(clocks)
    .innerJoin(investigations, eq(investigations.id, clocks.investigationId))
    .where(
      and(
        isNotNull(clocks.due),
        isNotNull(clocks.startsAt),
        notInArray(clocks.status, ['met', 'not_required']),
      ),
    );

  for (const { clock: c, number } of open) {
    const start = Date.parse(iso(c.startsAt) ?? '');
    const due = Date.parse(iso(c.due) ?? '');
    const elapsed = ((now.getTime() - start) / Math.max(1, due - start)) * 100;
    const what = `${c.regime} ${c.filing}${c.tenantKey ? ` for ${c.tenantKey}` : ''} (INV-${number})`;

    await db.transaction(async (tx) => {
      if (now.getTime() > due) {
        // The first moment past due is kept even if the anchor is corrected later.
        if (c.lateSince === null) {
          await tx
            .update(clocks)
            .set({ lateSince: iso(c.due) })
            .where(eq(clocks.id, c.id));
        }
        const raised = await raiseStaffAlert(tx, {
          kind: 'escalation',
          investigationId: c.investigationId,
          clockId: c.id,
          dedupKey: `escalation:${c.id}`,
          subject: `Deadline missed: ${what}`,
          body:
            `The deadline ${iso(c.due)} (${c.source}) passed without the filing being recorded ` +
            'or decided "not required". File now, with the reasons for the delay where the law asks for them.',
          at: now,
        });
        if (raised) tally.escalations += 1;
        return;
      }

      const reached = points.filter((p) => elapsed >= p && !c.remindersSent.includes(p));
      const point = reached.at(-1);
      if (point === undefined) return;
      await tx
        .update(clocks)
        .set({ remindersSent: [...c.remindersSent, ...reached] })
        .where(eq(clocks.id, c.id));
      const raised = await raiseStaffAlert(tx, {
        kind: 'reminder',
        investigationId: c.investigationId,
        clockId: c.id,
        dedupKey: `reminder:${c.id}:${point}`,
        subject: `${point}% of the window used: ${what}`,
        body: `Due ${iso(c.due)} (${c.source}); status ${c.status}.`,
        at: now,
      });
      if (raised) tally.reminders += 1;
    });
  }
  return tally;
}
