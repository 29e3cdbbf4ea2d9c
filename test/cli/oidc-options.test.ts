/**
 * The OpenID Connect options of `serve`: a usable set becomes settings, anything short of one
 * is a coded configuration error naming the option, before the server opens anything.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOidcClient } from '../../src/auth/oidc.ts';
import { signInSettingsOf, type SignInFlags } from '../../src/cli/sign-in-options.ts';

const BASE: SignInFlags = {
  sessionIdleMinutes: '30',
  sessionMaxHours: '12',
  oidcScope: 'openid email',
};

function refusal(flags: Partial<SignInFlags>): unknown {
  try {
    signInSettingsOf({ ...BASE, ...flags }, '127.0.0.1');
  } catch (error) {
    const e = error as { code: string; field: string };
    return { code: e.code, field: e.field };
  }
  return null;
}

describe('serve --oidc-* options', () => {
  afterEach(() => {
    delete process.env.BREACHDESK_OIDC_CLIENT_SECRET;
  });

  it('is off without an issuer', () => {
    expect(signInSettingsOf(BASE, '127.0.0.1').oidc).toBeNull();
  });

  it('derives the callback from the public origin, the secret from the environment', () => {
    process.env.BREACHDESK_OIDC_CLIENT_SECRET = 's3cret';
    const settings = signInSettingsOf(
      {
        ...BASE,
        publicOrigin: 'https://breachdesk.example/ignored/path',
        oidcIssuer: 'https://login.example.com',
        oidcClientId: 'bd',
      },
      '127.0.0.1',
    );
    expect(settings.oidc).toEqual({
      issuer: 'https://login.example.com',
      clientId: 'bd',
      clientSecret: 's3cret',
      redirectUri: 'https://breachdesk.example/api/v1/auth/oidc/callback',
      scope: 'openid email',
    });
  });

  it('refuses an incomplete or unsafe set, naming the option', () => {
    const issuer = 'https://login.example.com';
    expect(refusal({ oidcIssuer: issuer })).toEqual({
      code: 'BD_CONFIG_INVALID',
      field: 'oidcClientId',
    });
    expect(refusal({ oidcIssuer: issuer, oidcClientId: 'bd' })).toMatchObject({
      field: 'oidcRedirectUri',
    });
    expect(
      refusal({ oidcIssuer: issuer, oidcClientId: 'bd', oidcRedirectUri: 'https://x.example/cb' }),
    ).toMatchObject({ field: 'oidcRedirectUri' });
    expect(
      refusal({
        oidcIssuer: issuer,
        oidcClientId: 'bd',
        publicOrigin: 'https://breachdesk.example',
        oidcScope: 'email profile',
      }),
    ).toMatchObject({ field: 'oidcScope' });
  });

  it('refuses a callback with a query or fragment, or on plain http off this machine', () => {
    const base = { oidcIssuer: 'https://login.example.com', oidcClientId: 'bd' };
    for (const uri of [
      'http://evil.example/api/v1/auth/oidc/callback',
      'https://breachdesk.example/api/v1/auth/oidc/callback?x=1',
      'https://breachdesk.example/api/v1/auth/oidc/callback#frag',
      'https://user:pw@breachdesk.example/api/v1/auth/oidc/callback',
    ]) {
      expect(refusal({ ...base, oidcRedirectUri: uri }), uri).toMatchObject({
        field: 'oidcRedirectUri',
      });
    }
    expect(
      refusal({ ...base, oidcRedirectUri: 'http://127.0.0.1:8080/api/v1/auth/oidc/callback' }),
    ).toBeNull();
  });

  it('refuses a scope that does not ask for the e-mail address', () => {
    expect(
      refusal({
        oidcIssuer: 'https://login.example.com',
        oidcClientId: 'bd',
        publicOrigin: 'https://breachdesk.example',
        oidcScope: 'openid profile',
      }),
    ).toMatchObject({ field: 'oidcScope' });
  });

  it('refuses a plain-http issuer anywhere but loopback', () => {
    const settings = {
      clientId: 'bd',
      clientSecret: null,
      redirectUri: 'https://breachdesk.example/api/v1/auth/oidc/callback',
      scope: 'openid',
    };
    for (const issuer of [
      'http://login.example.com',
      'ftp://127.0.0.1',
      'not a url',
      'https://user:pw@login.example.com',
      'https://login.example.com/?q=1',
      'https://login.example.com/#f',
    ]) {
      expect(() => createOidcClient({ ...settings, issuer })).toThrow(/--oidc-issuer must be/);
    }
    expect(() => createOidcClient({ ...settings, issuer: 'http://127.0.0.1:1' })).not.toThrow();
  });
});
