/**
 * Which regimes apply to one affected tenant, from the deployment's role and the tenant's
 * jurisdictions and sector. Pure; the rules are listed in docs/regimes.md ("Which regimes
 * apply"). An investigation can still override the result with a recorded reason.
 */
import { fail } from './errors.ts';
import { REGIME_IDS, REGIMES, type RegimeId } from './regimes/index.ts';
import type { Severity } from './types.ts';

/** GDPR Art. 4(7)/(8): whether this deployment decides on the data or processes it for tenants. */
export type DeploymentRole = 'processor' | 'controller';

export interface ApplicabilityInput {
  deploymentRole: DeploymentRole;
  tenant: { jurisdictions: readonly string[]; sector: string | null };
  /** The investigation's rating; GDPR Art. 34 needs high risk. Unrated keeps Art. 34 open. */
  severity?: Severity;
  /** The deployment's operator files reports with the SEC (an Exchange Act registrant). */
  publicRegistrant?: boolean;
}

/** One regime that applies, whom it is owed to, and why. */
export interface ApplicableRegime {
  regime: RegimeId;
  /** Stable slug of the recipient, e.g. 'controller', 'supervisory-authority', 'anpd'. */
  recipient: string;
  reason: string;
  /** The regime's filings owed here (HIPAA owes one of its two, by role). */
  filings: string[];
  /** 'tenant': one obligation per affected tenant; 'investigation': one in all. */
  per: 'tenant' | 'investigation';
}

/** Sectors named in NIS2 Annexes I and II, by the slugs tenants use. Finance goes to DORA. */
export const NIS2_SECTORS: ReadonlySet<string> = new Set([
  'energy',
  'transport',
  'health',
  'drinking-water',
  'waste-water',
  'digital-infrastructure',
  'telecom',
  'ict-services',
  'public-administration',
  'space',
  'postal',
  'waste-management',
  'chemicals',
  'food',
  'manufacturing',
  'digital-providers',
  'research',
]);

/** Financial sectors: DORA in the EU, NYDFS in New York. */
export const FINANCE_SECTORS: ReadonlySet<string> = new Set([
  'finance',
  'bank',
  'insurance',
  'investment',
  'payments',
]);

// ISO 3166-1 codes of the EU member states, read as "EU" so a tenant may name its country.
const EU_MEMBERS = new Set(
  'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '),
);

/**
 * The regimes one affected tenant brings, in catalogue order, each once. Jurisdiction codes
 * are case-insensitive: EU (or an EU member's ISO code), UK (or GB), US, US-<state>, BR, IN;
 * others (e.g. JP) bring no regime of this catalogue.
 */
export function applicableRegimes(input: ApplicabilityInput): ApplicableRegime[] {
  const { deploymentRole: role, tenant, severity } = input;
  if (role !== 'processor' && role !== 'controller') {
    fail('BD_DEADLINE_INVALID', 'deploymentRole must be processor or controller', 'deploymentRole');
  }

  const places = readJurisdictions(tenant.jurisdictions);
  const sector = tenant.sector?.trim().toLowerCase() || null;
  const found = new Map<RegimeId, ApplicableRegime>();
  const add = (entry: ApplicableRegime) => {
    if (!found.has(entry.regime)) found.set(entry.regime, entry);
  };

  if (role === 'processor') {
    processorRules(places, sector).forEach(add);
  } else {
    controllerRules(places, sector, severity).forEach(add);
  }

  // CERT-In Directions (ii) bind service providers and data centres as well as controllers.
  if (places.has('IN')) {
    add(owed('cert-in', 'cert-in', 'investigation', 'tenant in India: CERT-In Directions 2022'));
  }
  // Item 1.05 is the registrant's own disclosure, whatever its role for the tenant's data.
  if (input.publicRegistrant === true) {
    add(owed('sec-8k', 'sec', 'investigation', 'the operator is an SEC registrant: Form 8-K 1.05'));
  }

  return REGIME_IDS.flatMap((id) => {
    const entry = found.get(id);
    return entry ? [entry] : [];
  });
}

function processorRules(places: Set<string>, sector: string | null): ApplicableRegime[] {
  const out: ApplicableRegime[] = [];

  // GDPR Art. 33(2) (and its UK twin): the processor's duty runs to each controller.
  if (places.has('EU') || places.has('UK')) {
    const law = places.has('EU') ? 'GDPR Art. 33(2)' : 'UK GDPR Art. 33(2), same duty';
    out.push(owed('gdpr-33-2', 'controller', 'tenant', `processor for this tenant: ${law}`));
  }
  // 45 CFR 164.410: a business associate tells the covered entity.
  if (places.has('US') && sector === 'health') {
    out.push({
      ...owed('hipaa', 'covered-entity', 'tenant', 'business associate of a US health tenant'),
      filings: ['covered-entity'],
    });
  }
  return out;
}

function controllerRules(
  places: Set<string>,
  sector: string | null,
  severity: Severity | undefined,
): ApplicableRegime[] {
  const out: ApplicableRegime[] = [];
  const eu = places.has('EU');
  const us = places.has('US');
  const finance = sector !== null && FINANCE_SECTORS.has(sector);

  if (eu) {
    out.push(owed('gdpr-33-1', 'supervisory-authority', 'investigation', 'controller, EU data'));
  }
  if ((eu || places.has('UK')) && severity !== 'low' && severity !== 'medium') {
    const why = severity === 'high' ? 'severity high' : 'severity not rated yet';
    out.push(owed('gdpr-34', 'data-subjects', 'investigation', `controller; ${why}: Art. 34`));
  }
  if (places.has('UK')) {
    out.push(owed('uk-gdpr', 'ico', 'investigation', 'controller, UK data'));
  }
  // NIS2 Art. 4: DORA is the sector-specific act for financial entities, so they skip NIS2.
  if (eu && sector !== null && NIS2_SECTORS.has(sector)) {
    out.push(owed('nis2', 'csirt', 'investigation', `EU ${sector} sector: NIS2 Annex I/II`));
  }
  if (eu && finance) {
    out.push(owed('dora', 'competent-authority', 'investigation', `EU ${sector}: DORA Art. 19`));
  }
  if (us && sector === 'health') {
    out.push({
      ...owed('hipaa', 'individuals', 'investigation', 'covered entity, US health data'),
      filings: ['individuals'],
    });
  }
  if (places.has('US-NY') && finance) {
    out.push(owed('nydfs', 'dfs', 'investigation', `New York ${sector}: 23 NYCRR 500.17`));
  }
  if (us && sector === 'bank') {
    out.push(owed('us-bank', 'primary-regulator', 'investigation', 'US banking organization'));
  }
  if (eu && sector === 'telecom') {
    out.push(owed('eprivacy', 'national-authority', 'investigation', 'EU telecom provider'));
  }
  if (places.has('BR')) {
    out.push(owed('lgpd', 'anpd', 'investigation', 'controller, Brazilian data: LGPD Art. 48'));
  }
  return out;
}

function owed(
  regime: RegimeId,
  recipient: string,
  per: ApplicableRegime['per'],
  reason: string,
): ApplicableRegime {
  const filings = REGIMES[regime].filings.map((f) => f.filing);
  return { regime, recipient, reason, filings, per };
}

/** Upper-cased codes, with EU members read as EU, GB as UK, and US-<state> also as US. */
function readJurisdictions(codes: readonly string[]): Set<string> {
  if (!Array.isArray(codes)) {
    fail('BD_DEADLINE_INVALID', 'tenant.jurisdictions must be a list of codes', 'jurisdictions');
  }

  const places = new Set<string>();
  for (const raw of codes) {
    const code = String(raw).trim().toUpperCase();
    places.add(code);
    if (EU_MEMBERS.has(code)) places.add('EU');
    if (code === 'GB') places.add('UK');
    if (code.startsWith('US-')) places.add('US');
  }
  return places;
}
