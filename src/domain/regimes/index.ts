/**
 * The regimes catalogue: one versioned entry per regime, each in its own file and each
 * citing its legal source. docs/regimes.md renders the same facts for people.
 */
import { fail } from '../errors.ts';
import { certIn } from './cert-in.ts';
import { dora } from './dora.ts';
import { eprivacy } from './eprivacy.ts';
import { gdpr331 } from './gdpr-33-1.ts';
import { gdpr332 } from './gdpr-33-2.ts';
import { gdpr34 } from './gdpr-34.ts';
import { hipaa } from './hipaa.ts';
import { lgpd } from './lgpd.ts';
import { nis2 } from './nis2.ts';
import { nydfs } from './nydfs.ts';
import { sec8k } from './sec-8k.ts';
import { ukGdpr } from './uk-gdpr.ts';
import { usBank } from './us-bank.ts';
import { REGIME_IDS, type Regime, type RegimeId } from './types.ts';

export * from './types.ts';
export { GDPR_PROCESSOR_DEFAULT_HOURS } from './gdpr-33-2.ts';

/** Every regime by id. */
export const REGIMES: Readonly<Record<RegimeId, Regime>> = {
  'gdpr-33-2': gdpr332,
  'gdpr-33-1': gdpr331,
  'gdpr-34': gdpr34,
  'uk-gdpr': ukGdpr,
  nis2,
  dora,
  hipaa,
  'sec-8k': sec8k,
  nydfs,
  'us-bank': usBank,
  eprivacy,
  lgpd,
  'cert-in': certIn,
};

/** True when `id` names a regime in the catalogue. */
export function isRegimeId(id: unknown): id is RegimeId {
  return typeof id === 'string' && (REGIME_IDS as readonly string[]).includes(id);
}

/** The regime with this id, or BD_DEADLINE_INVALID listing the ids that exist. */
export function getRegime(id: string, field = 'regime'): Regime {
  if (!isRegimeId(id)) {
    fail(
      'BD_DEADLINE_INVALID',
      `unknown regime "${id}"; use one of ${REGIME_IDS.join(', ')}`,
      field,
    );
  }
  return REGIMES[id];
}

/** All regimes, in catalogue order. */
export function listRegimes(): Regime[] {
  return REGIME_IDS.map((id) => REGIMES[id]);
}
