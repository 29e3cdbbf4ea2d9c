/**
 * Notice templates: the wording of each audience in English, German and French, the
 * language choice, follow-up references, and the sandbox around user-edited templates.
 */
import { describe, expect, it } from 'vitest';
import { BreachdeskError } from '../../src/domain/errors.ts';
import type { NoticeFacts } from '../../src/domain/notice-content.ts';
import { SUBJECT_MAX_LENGTH } from '../../src/domain/notice-content.ts';
import { chooseLanguages, renderNotice, SAMPLE_FACTS, sha256 } from '../../src/notify/render.ts';
import { compileTemplate } from '../../src/notify/templates/engine.ts';
import { NOTICE_AUDIENCES, type NoticeAudience } from '../../src/notify/templates/loader.ts';
import { LANGUAGES, type Language } from '../../src/notify/templates/vocabulary.ts';

function buildFacts(overrides: Partial<NoticeFacts> = {}): NoticeFacts {
  return {
    ...SAMPLE_FACTS,
    investigationRef: 'INV-42',
    tenantName: 'Contoso Ltd',
    nature: 'A leaked API key was used to read objects from a storage bucket.',
    contactPoint: { name: 'Privacy Office', email: 'privacy@provider.test' },
    ...overrides,
  };
}

function render(
  audience: NoticeAudience,
  facts: NoticeFacts,
  languages: Language[] = ['en'],
  template?: string,
) {
  return renderNotice({
    audience,
    facts,
    languages,
    template: template === undefined ? undefined : compileTemplate(template, 'test'),
  });
}

const FOLLOW_UP = {
  what: 'Scoping found 300 more records.',
  initial: { noticeId: 'n-1', reference: 'INV-42/1', phase: 1, issuedAt: '2026-05-04T10:00:00Z' },
  previous: { noticeId: 'n-1', reference: 'INV-42/1', phase: 1, issuedAt: '2026-05-04T10:00:00Z' },
};

function expectCode(fn: () => unknown, code: string): BreachdeskError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BreachdeskError);
    expect((err as BreachdeskError).code).toBe(code);
    return err as BreachdeskError;
  }
  return expect.fail(`expected ${code}`);
}

describe('tenant notice in English', () => {
  it('carries every GDPR Art. 33(3) section', () => {
    const { body } = render('tenant', buildFacts());

    for (const heading of [
      'Nature of the breach',
      'Data and people concerned',
      'Timeline',
      'Contact point',
      'Likely consequences',
      'Measures taken or proposed',
    ]) {
      expect(body).toContain(heading);
    }
  });

  it('states the facts it was given', () => {
    const { body } = render('tenant', buildFacts());

    expect(body).toContain('Categories of personal data: names, e-mail addresses');
    expect(body).toContain('Approximate number of data subjects: about 1,200');
    expect(body).toContain('Privacy Office <privacy@provider.test>');
  });

  it('says "not yet known" for unknown subjects, access window and categories', () => {
    const facts = buildFacts({
      approxSubjects: null,
      firstAccess: null,
      lastAccess: null,
      dataCategories: [],
    });
    const { body } = render('tenant', facts);

    expect(body).toContain('Approximate number of data subjects: not yet known');
    expect(body).toContain('Unauthorised access began: not yet known');
    expect(body).toContain('Categories of personal data: not yet known');
  });

  it('gives every time in UTC', () => {
    const { body } = render('tenant', buildFacts({ awareAt: '2026-05-03T11:15:00+02:00' }));

    expect(body).toContain('We became aware of the breach: 2026-05-03T09:15:00Z');
    expect(body).not.toContain('+02:00');
  });

  it('describes the nature from scoping when no text was given', () => {
    const { body } = render('tenant', buildFacts({ nature: null }));

    expect(body).toContain('312 access events by an unauthorised party (GetObject, ListObjects)');
  });

  it('keeps the subject on one line when the tenant name holds CR/LF and controls', () => {
    const facts = buildFacts({ tenantName: 'Evil\r\nBcc: x@attacker.test\t\u2028\u0000Corp' });
    const { subject } = render('tenant', facts);

    expect(subject).not.toMatch(/[\p{Cc}\u2028\u2029]/u);
    expect(subject).toContain('Evil Bcc: x@attacker.test Corp');
  });

  it('records the SHA-256 of exactly the body it returns', () => {
    const rendered = render('tenant', buildFacts());

    expect(rendered.bodySha256).toBe(sha256(rendered.body));
  });
});

describe('exercise marking', () => {
  it('starts an exercise subject with [EXERCISE] and says so at both ends of the body', () => {
    const { subject, body } = render('tenant', buildFacts({ exercise: true }));

    expect(subject.startsWith('[EXERCISE] ')).toBe(true);
    expect(body.startsWith('[EXERCISE] This message is part of a red-team exercise')).toBe(true);
    expect(body.trimEnd().endsWith('requires no action outside the exercise.')).toBe(true);
  });

  it('does not mark a real notice as an exercise', () => {
    const { subject, body } = render('tenant', buildFacts());

    expect(subject).not.toContain('EXERCISE');
    expect(body).not.toContain('EXERCISE');
  });

  it('caps a long subject and keeps the exercise prefix', () => {
    const { subject } = render(
      'tenant',
      buildFacts({ tenantName: 'A'.repeat(400), exercise: true }),
    );

    expect(subject.startsWith('[EXERCISE] ')).toBe(true);
    expect(subject.length).toBeLessThanOrEqual('[EXERCISE] '.length + SUBJECT_MAX_LENGTH);
  });

  it('marks an exercise even when a user template leaves the marking out', () => {
    const { subject, body } = render(
      'tenant',
      buildFacts({ exercise: true }),
      ['de'],
      'Subject: Hallo\n\nText',
    );

    expect(subject).toBe('[EXERCISE] Hallo');
    expect(body.startsWith('[EXERCISE] Diese Nachricht ist Teil einer Red-Team-Übung')).toBe(true);
  });
});

describe('account team notice', () => {
  it('is marked internal and carries the same facts', () => {
    const { subject, body } = render('account_team', buildFacts({ approxSubjects: null }));

    expect(subject).toContain('Contoso Ltd');
    expect(body).toContain('Do not forward');
    expect(body).toContain('Approximate number of data subjects: not yet known');
  });
});

describe('authority notice', () => {
  it('gives the reasons for a late notification when there are some (GDPR Art. 33(1))', () => {
    const { body } = render('authority', buildFacts({ delayReasons: 'Logs arrived late.' }));

    expect(body).toContain('Reasons for the delay (Art. 33(1))\n');
    expect(body).toContain('Logs arrived late.');
  });

  it('has no delay section when on time', () => {
    const { body } = render('authority', buildFacts());

    expect(body).not.toContain('Reasons for the delay');
  });
});

describe('German and French', () => {
  it('writes numbers and unknowns the German way', () => {
    const { body } = render('tenant', buildFacts({ lastAccess: null }), ['de']);

    expect(body).toContain('Ungefähre Zahl der betroffenen Personen: etwa 1.200');
    expect(body).toContain('Ende des unbefugten Zugriffs: noch nicht bekannt');
  });

  it('writes numbers the French way', () => {
    const { body } = render('tenant', buildFacts(), ['fr']);

    expect(body).toMatch(/Nombre approximatif de personnes concernées : environ 1\s200/u);
  });

  it('words default paragraphs in the notice language', () => {
    const { body } = render('tenant', buildFacts({ likelyConsequences: null }), ['de']);

    expect(body).toContain('Daten, die eine unbefugte Stelle gelesen hat');
  });

  for (const audience of NOTICE_AUDIENCES) {
    for (const language of LANGUAGES) {
      it(`renders ${audience} in ${language} with the reference and no template markup`, () => {
        const { subject, body } = render(audience, buildFacts(), [language]);

        expect(subject).toContain('INV-42');
        expect(body).toContain('INV-42');
        expect(`${subject}${body}`).not.toMatch(/\{\{|\{%|@@/);
      });

      it(`says in ${audience}/${language} which initial notice a follow-up follows`, () => {
        const { body } = render(audience, buildFacts({ followUp: FOLLOW_UP }), [language]);

        expect(body).toContain('2026-05-04');
        expect(body).toContain('INV-42/1');
        expect(body).toContain('Scoping found 300 more records.');
      });

      it(`gives a ${audience}/${language} follow-up a subject of its own`, () => {
        const initial = render(audience, buildFacts(), [language]);
        const next = render(audience, buildFacts({ followUp: FOLLOW_UP }), [language]);

        expect(next.subject).not.toBe(initial.subject);
      });
    }
  }

  it('names the latest follow-up too from phase 3 on', () => {
    const followUp = {
      ...FOLLOW_UP,
      previous: {
        noticeId: 'n-2',
        reference: 'INV-42/2',
        phase: 2,
        issuedAt: '2026-05-09T10:00:00Z',
      },
    };
    const { subject, body } = render('tenant', buildFacts({ followUp }));

    expect(body).toContain('our latest follow-up of 2026-05-09 (reference INV-42/2)');
    expect(subject).toContain('phase 3');
  });
});

describe('language choice', () => {
  it("uses the contact's language over the tenant's", () => {
    expect(chooseLanguages(['de'], 'en')).toEqual(['de']);
  });

  it("falls back to the tenant's language for a contact language without templates", () => {
    expect(chooseLanguages(['ja'], 'fr')).toEqual(['fr']);
  });

  it('falls back to English when neither has templates', () => {
    expect(chooseLanguages([null], 'pt-BR')).toEqual(['en']);
  });

  it('reads regional tags by their language', () => {
    expect(chooseLanguages(['fr-CH'], 'en')).toEqual(['fr']);
  });

  it("leads with the tenant's language and adds each other contact language", () => {
    expect(chooseLanguages(['fr', 'de', 'de'], 'de')).toEqual(['de', 'fr']);
  });

  it('puts one version per language in the body, the subject in the first', () => {
    const { subject, body, language } = render('tenant', buildFacts(), ['de', 'fr']);

    expect(language).toBe('de');
    expect(subject).toContain('Meldung einer Verletzung');
    expect(body).toContain('Version française');
    expect(body).toContain('Nature de la violation');
  });
});

describe('user templates are sandboxed', () => {
  it('cannot call a function through constructor', () => {
    const src = "Subject: x\n\n{{ constructor.constructor('globalThis.pwned = 1')() }}";

    const err = expectCode(() => render('tenant', buildFacts(), ['en'], src), 'BD_TEMPLATE_UNSAFE');
    expect(err.field).toBe('template');
    expect(Reflect.has(globalThis, 'pwned')).toBe(false);
  });

  it('cannot reach a prototype through a variable', () => {
    expectCode(
      () => render('tenant', buildFacts(), ['en'], 'Subject: x\n\n{{ tenant["constructor"] }}'),
      'BD_TEMPLATE_UNSAFE',
    );
  });

  it('cannot reach a prototype through a computed property name', () => {
    const src = 'Subject: x\n\n{% assign k = "const" | append: "ructor" %}{{ tenant[k] }}';

    expectCode(() => compileTemplate(src, 'computed'), 'BD_TEMPLATE_UNSAFE');
  });

  it('finds no prototype behind a computed name on a local array', () => {
    const src =
      'Subject: x\n\n{% assign k = "__pro" | append: "to__" %}' +
      '{% assign a = tenant | split: "," %}{{ a[k] | size }}';

    expectCode(() => render('tenant', buildFacts(), ['en'], src), 'BD_TEMPLATE_INVALID');
  });

  it('cannot include a file', () => {
    const src = "Subject: x\n\n{% include '/etc/passwd' %}";

    const err = expectCode(() => render('tenant', buildFacts(), ['en'], src), 'BD_TEMPLATE_UNSAFE');
    expect(err.message).not.toContain('root:');
  });

  it('cannot render or lay out another file', () => {
    for (const tag of ["{% render '/etc/passwd' %}", "{% layout '/etc/hosts' %}"]) {
      expectCode(
        () => render('tenant', buildFacts(), ['en'], `Subject: x\n\n${tag}`),
        'BD_TEMPLATE_UNSAFE',
      );
    }
  });

  it('cannot include a file from inside a liquid tag', () => {
    const src = "Subject: x\n\n{% liquid\ninclude '/etc/passwd'\n%}";

    expectCode(() => render('tenant', buildFacts(), ['en'], src), 'BD_TEMPLATE_UNSAFE');
  });

  it('stops a template that would build a huge output', () => {
    const src = 'Subject: x\n\n{% for i in (1..100000000) %}xxxxxxxxxxxxxxxx{% endfor %}';

    expectCode(() => render('tenant', buildFacts(), ['en'], src), 'BD_TEMPLATE_UNSAFE');
  });

  it('refuses a template over the size limit', () => {
    expectCode(
      () => compileTemplate(`Subject: x\n\n${'a'.repeat(70_000)}`, 'big'),
      'BD_TEMPLATE_UNSAFE',
    );
  });

  it('refuses an unknown variable, even in a branch that would not render', () => {
    const src = 'Subject: x\n\n{% if exercise %}{{ secret_key }}{% endif %}';

    const err = expectCode(() => compileTemplate(src, 'typo'), 'BD_TEMPLATE_INVALID');
    expect(err.message).toContain('secret_key');
  });

  it('refuses an unknown filter', () => {
    expectCode(
      () => compileTemplate('Subject: x\n\n{{ tenant | shell }}', 'f'),
      'BD_TEMPLATE_INVALID',
    );
  });

  it('refuses a template without its Subject line', () => {
    expectCode(() => compileTemplate('Hello {{ tenant }}', 'nosubject'), 'BD_TEMPLATE_INVALID');
  });

  it('refuses a template that does not parse', () => {
    expectCode(
      () => compileTemplate('Subject: x\n\n{% if tenant %}open', 'broken'),
      'BD_TEMPLATE_INVALID',
    );
  });

  it('renders a well-formed user template with the documented variables', () => {
    const src = 'Subject: Breach {{ ref }} for {{ tenant | upcase }}\n\n{{ subjects }} people.';
    const { subject, body } = render('tenant', buildFacts(), ['en'], src);

    expect(subject).toBe('Breach INV-42 for CONTOSO LTD');
    expect(body).toBe('about 1,200 people.\n');
  });
});
