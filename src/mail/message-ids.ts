import { randomBytes } from 'node:crypto';
import { isContactReference } from '../contacts/contact-reference.js';
import type { ContactReference } from '../contacts/contact-view.js';

/**
 * Our own Message-IDs carry the thread's contact reference, so a reply (In-Reply-To / References)
 * finds its thread again after a restart without a table of sent ids. The reference is random per
 * contact and links nothing; the random tail keeps every id unique.
 */
export function newMessageId(reference: ContactReference, domain: string): string {
  return `<${reference}.${randomBytes(9).toString('base64url')}@${domain}>`;
}

/** The references named by our own ids among `ids`, most recent (last) first, without repeats. */
export function referencesIn(ids: readonly string[], domain: string): ContactReference[] {
  const ours = new RegExp(`^<([^.@<>]+)\\.[A-Za-z0-9_-]{12}@${escapeRegExp(domain)}>$`, 'i');
  const found: ContactReference[] = [];
  for (const id of [...ids].reverse()) {
    const candidate = ours.exec(id.trim())?.[1];
    if (candidate && isContactReference(candidate) && !found.includes(candidate)) found.push(candidate);
  }
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
