import { describe, expect, it } from 'vitest';

import { applicableRegimes, type ApplicabilityInput } from '../../../src/domain/applicability.ts';

const regimes = (
  deploymentRole: ApplicabilityInput['deploymentRole'],
  jurisdictions: string[],
  sector: string | null = null,
  extra: Partial<ApplicabilityInput> = {},
) =>
  applicableRegimes({ deploymentRole, tenant: { jurisdictions, sector }, ...extra }).map(
    (r) => r.regime,
  );

describe('applicableRegimes', () => {
  it('owes each EU tenant a GDPR Art. 33(2) notice when the deployment is a processor', () => {
    const [entry] = applicableRegimes({
      deploymentRole: 'processor',
      tenant: { jurisdictions: ['EU'], sector: null },
    });
    expect(entry).toMatchObject({ regime: 'gdpr-33-2', recipient: 'controller', per: 'tenant' });
  });

  it('brings the authority and the data subjects to a controller when severity is high', () => {
    expect(regimes('controller', ['EU'], null, { severity: 'high' })).toEqual([
      'gdpr-33-1',
      'gdpr-34',
    ]);
  });

  it('leaves out Art. 34 when severity is rated low', () => {
    expect(regimes('controller', ['EU'], null, { severity: 'low' })).toEqual(['gdpr-33-1']);
  });

  it('keeps Art. 34 open while severity is not rated', () => {
    expect(regimes('controller', ['EU'])).toContain('gdpr-34');
  });

  it('brings uk-gdpr for UK data, also written as GB', () => {
    expect(regimes('controller', ['GB'], null, { severity: 'low' })).toEqual(['uk-gdpr']);
  });

  it('brings NIS2 for an EU tenant in an essential or important sector', () => {
    expect(regimes('controller', ['DE'], 'energy', { severity: 'low' })).toEqual([
      'gdpr-33-1',
      'nis2',
    ]);
  });

  it('brings DORA and not NIS2 for an EU financial tenant', () => {
    expect(regimes('controller', ['EU'], 'insurance', { severity: 'low' })).toEqual([
      'gdpr-33-1',
      'dora',
    ]);
  });

  it('brings HIPAA to individuals for a US health tenant of a controller', () => {
    const [entry] = applicableRegimes({
      deploymentRole: 'controller',
      tenant: { jurisdictions: ['US'], sector: 'health' },
    });
    expect(entry).toMatchObject({ regime: 'hipaa', filings: ['individuals'] });
  });

  it('owes the covered entity a HIPAA notice when the deployment is a business associate', () => {
    const [entry] = applicableRegimes({
      deploymentRole: 'processor',
      tenant: { jurisdictions: ['US'], sector: 'health' },
    });
    expect(entry).toMatchObject({ regime: 'hipaa', filings: ['covered-entity'], per: 'tenant' });
  });

  it('brings NYDFS and the US bank rule for a New York bank', () => {
    expect(regimes('controller', ['US-NY'], 'bank')).toEqual(['nydfs', 'us-bank']);
  });

  it('brings ePrivacy and NIS2 for an EU telecom tenant, and LGPD for its Brazilian data', () => {
    expect(regimes('controller', ['EU', 'BR'], 'telecom', { severity: 'low' })).toEqual([
      'gdpr-33-1',
      'nis2',
      'eprivacy',
      'lgpd',
    ]);
  });

  it('brings CERT-In for an Indian tenant whatever the deployment role', () => {
    expect(regimes('processor', ['IN'])).toEqual(['cert-in']);
  });

  it('brings Form 8-K when the operator is a public registrant', () => {
    expect(regimes('processor', ['JP'], null, { publicRegistrant: true })).toEqual(['sec-8k']);
  });

  it('brings nothing for a jurisdiction the catalogue does not cover', () => {
    expect(regimes('controller', ['JP'])).toEqual([]);
  });
});
