/**
 * User text (a report description, a hold reason, an investigation title) as HTML for a web
 * page or an HTML e-mail part: every character is text, never markup, and the only markup
 * produced is paragraphs, line breaks and links written the Markdown way, `[label](url)`,
 * whose URL is http, https or mailto. Anything else, `javascript:` included, stays visible as
 * the text that was written. Pure.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

// A label on one line without brackets, then a URL without spaces or parentheses.
const MARKDOWN_LINK = /\[([^[\]\n]{1,500})\]\(([^()\s]{1,2000})\)/g;

const SAFE_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/** `text` with the five HTML-significant characters escaped; safe in content and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * The URL a link may point to, normalised as a browser would read it, or null when its scheme
 * is not http, https or mailto (javascript:, data:, vbscript:, relative URLs).
 */
export function safeLinkTarget(url: string): string | null {
  // The WHATWG parser is what the browser runs: it drops the tabs and line breaks that
  // "java\tscript:" hides behind and lower-cases the scheme.
  if (!URL.canParse(url)) return null;

  const parsed = new URL(url);
  return SAFE_SCHEMES.has(parsed.protocol) ? parsed.href : null;
}

/** `text` as HTML: escaped, blank-line paragraphs, line breaks and safe links only. */
export function userTextToHtml(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .filter((p) => p.trim() !== '');

  return paragraphs.map((p) => `<p>${inlineHtml(p.trim()).replaceAll('\n', '<br>')}</p>`).join('');
}

function inlineHtml(text: string): string {
  let html = '';
  let from = 0;
  for (const match of text.matchAll(MARKDOWN_LINK)) {
    const [whole, label = '', url = ''] = match;
    const target = safeLinkTarget(url);
    html += escapeHtml(text.slice(from, match.index));
    html +=
      target === null
        ? escapeHtml(whole)
        : `<a href="${escapeHtml(target)}" rel="noopener noreferrer nofollow">` +
          `${escapeHtml(label)}</a>`;
    from = match.index + whole.length;
  }
  return html + escapeHtml(text.slice(from));
}
