/**
 * User text shown as HTML is text: script, event handlers and javascript: links written into a
 * report description, a hold reason or an investigation title never become markup.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeLinkTarget, userTextToHtml } from '../../src/domain/user-text-html.ts';

const HOSTILE = {
  description: '<script>alert(1)</script>',
  holdReason: '<img src=x onerror=alert(document.cookie)>',
  investigationTitle: '[x](javascript:alert(1))',
};

// The only markup userTextToHtml may produce.
const ALLOWED_TAG =
  /<p>|<\/p>|<br>|<a href="(?:https?:|mailto:)[^"<>]*" rel="noopener noreferrer nofollow">|<\/a>/g;

/** The output with its allowed tags removed: what is left must contain no markup at all. */
function withoutAllowedTags(html: string): string {
  return html.replace(ALLOWED_TAG, '');
}

const fragment = fc.constantFrom(
  '<script>',
  '</script>',
  '<img src=x onerror=alert(1)>',
  '"',
  "'",
  '&',
  '[x]',
  '(javascript:alert(1))',
  '(JaVaScRiPt:alert(1))',
  '(https://example.org/?a=1&b="2")',
  '(mailto:dpo@acme.example)',
  '(data:text/html;base64,PHNjcmlwdD4=)',
  '](',
  ')',
  '\n',
  '\n\n',
  ' ',
);
const hostileText = fc.oneof(
  fc.string(),
  fc
    .array(fc.oneof(fragment, fc.string({ maxLength: 3 })), { maxLength: 20 })
    .map((p) => p.join('')),
);

describe('user text as HTML', () => {
  it('renders a script tag in a description as text', () => {
    expect(userTextToHtml(HOSTILE.description)).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
  });

  it('renders an image with an event handler in a hold reason as text', () => {
    const html = userTextToHtml(HOSTILE.holdReason);
    expect(html).not.toContain('<img');
    expect(withoutAllowedTags(html)).not.toMatch(/[<>]/);
  });

  it('does not link a javascript: URL in an investigation title', () => {
    const html = userTextToHtml(HOSTILE.investigationTitle);
    expect(html).toBe('<p>[x](javascript:alert(1))</p>');
  });

  it('links http, https and mailto URLs, escaped inside the attribute', () => {
    expect(userTextToHtml('see [the advisory](https://example.org/a?b=1&c="2")')).toBe(
      '<p>see <a href="https://example.org/a?b=1&amp;c=%222%22" ' +
        'rel="noopener noreferrer nofollow">the advisory</a></p>',
    );
  });

  it('refuses link targets a browser would run or that have no scheme', () => {
    for (const url of [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'vbscript:msgbox(1)',
      'data:text/html,<script>alert(1)</script>',
      '//evil.example/',
      '/relative',
    ]) {
      expect(safeLinkTarget(url)).toBeNull();
    }
  });

  it('produces no markup but paragraphs, breaks and safe links, whatever the text', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        expect(withoutAllowedTags(userTextToHtml(text))).not.toMatch(/[<>]/);
      }),
    );
  });
});
