/**
 * When two breach contact addresses are the same mailbox. As sign-in names are
 * (auth/people.ts normaliseEmail), an address is compared trimmed and lower-cased; its domain
 * also by its A-label, so that `dpo@bücher.example` and `dpo@xn--bcher-kva.example`, one
 * mailbox, cannot stand as two contacts (each with its own test e-mails, each sent a notice).
 */
import { domainToASCII } from 'node:url';
import { normaliseEmail } from '../auth/people.ts';

export function contactAddressKey(email: string): string {
  const address = normaliseEmail(email);
  const at = address.lastIndexOf('@');
  if (at < 0) return address;

  const domain = address.slice(at + 1);
  // domainToASCII answers '' for what is no domain; the lower-cased text still compares.
  return `${address.slice(0, at)}@${domainToASCII(domain) || domain}`;
}
