import { describe, expect, it } from 'vitest';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { confirmationText } from '../../src/mail/confirmation-text.js';
import { newMessageId, referencesIn } from '../../src/mail/message-ids.js';

const ZONE = 'Europe/Brussels';

describe('the confirmation text', () => {
  it('says the mail arrived and warns, as the Lumi statement does, about someone else’s address', () => {
    const { subject, text } = confirmationText(null, ZONE);
    expect(subject).toBe('We hebben je mail goed ontvangen');
    expect(text).toContain('Je mail is goed bij ons aangekomen.');
    expect(text).toContain('het mailadres van iemand anders (bijvoorbeeld van je ouders)');
    expect(text).toContain('een nieuw e-mailadres aanmaken waarin je naam niet voorkomt');
    expect(text).toContain('internetdienst die anonimiteit garandeert');
  });

  it('tells a sender under a Time Out or block until when, in the site’s zone, and promises no answer', () => {
    const until = Date.parse('2026-05-13T10:00:00+02:00');
    const timeOut = confirmationText({ kind: 'time-out', until }, ZONE).text;
    expect(timeOut).toContain('Je hebt een Time Out tot woensdag 13 mei 2026 om 10:00.');
    expect(timeOut).not.toContain('antwoordt je');
    expect(confirmationText({ kind: 'blocked', until }, ZONE).text).toContain('Je bent geblokkeerd tot woensdag 13 mei 2026 om 10:00.');
    expect(confirmationText({ kind: 'unknown', routing: 'refuse' }, ZONE).text).not.toMatch(/Time Out|geblokkeerd/);
  });
});

describe('our Message-IDs', () => {
  it('name the thread, and only ids of our own domain with a real reference are read back', () => {
    const reference = 'K7Q-3F9' as ContactReference;
    const id = newMessageId(reference, 'gw.example');
    expect(id).toMatch(/^<K7Q-3F9\.[A-Za-z0-9_-]{12}@gw\.example>$/);
    expect(referencesIn(['<other@example.org>', id], 'gw.example')).toEqual([reference]);
    expect(referencesIn([id], 'evil.example')).toEqual([]);
    expect(referencesIn(['<K7Q-3F0.abcdefghijkl@gw.example>'], 'gw.example')).toEqual([]);
    expect(referencesIn([id.toLowerCase()], 'gw.example')).toEqual([]);
  });
});
