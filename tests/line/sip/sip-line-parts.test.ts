import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ContactDesk } from '../../../src/contacts/contact-desk.js';
import { deskDisplayText, planFor, type SipIntake, type SipRouter } from '../../../src/line/sip/index.js';
import { TrunkPeers } from '../../../src/line/sip/trunk-peers.js';
import type { CallRouter } from '../../../src/routing/index.js';

describe('what a desk phone displays', () => {
  it('shows the count of earlier contacts in Dutch, ASCII only, never anything else', () => {
    expect(deskDisplayText({ priorContacts: 4, callerKnown: true })).toBe('Bekende beller, 4 eerdere contacten');
    expect(deskDisplayText({ priorContacts: 1, callerKnown: true })).toBe('Bekende beller, 1 eerder contact');
    expect(deskDisplayText({ priorContacts: 0, callerKnown: true })).toBe('Eerste contact');
    expect(deskDisplayText({ priorContacts: 3, callerKnown: false })).toBe('Nummer afgeschermd');
    for (const count of [0, 1, 2, 99]) expect(deskDisplayText({ priorContacts: count, callerKnown: true })).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('what the moderation answer means for a call', () => {
  it('routes callers without a status, plays the prompt for a Time Out or block', () => {
    expect(planFor(null, 'refuse')).toEqual({ kind: 'route' });
    expect(planFor({ kind: 'none' }, 'refuse')).toEqual({ kind: 'route' });
    expect(planFor({ kind: 'time-out', until: 5 }, 'route')).toEqual({ kind: 'prompt', moderation: 'time-out', until: 5 });
    expect(planFor({ kind: 'blocked', until: 9 }, 'route')).toEqual({ kind: 'prompt', moderation: 'blocked', until: 9 });
  });

  it('fails open or closed on a failed lookup: the intake\'s decision first, else the option', () => {
    expect(planFor({ kind: 'unknown' }, 'route')).toEqual({ kind: 'route' });
    expect(planFor({ kind: 'unknown' }, 'refuse')).toEqual({ kind: 'refuse' });
    expect(planFor({ kind: 'unknown', routing: 'refuse' }, 'route')).toEqual({ kind: 'refuse' });
    expect(planFor({ kind: 'unknown', routing: 'route' }, 'refuse')).toEqual({ kind: 'route' });
  });
});

describe('the trunk allow-list', () => {
  it('admits listed addresses and ranges, IPv4-mapped IPv6 as IPv4, and nothing else', () => {
    const peers = new TrunkPeers(['192.0.2.10', '198.51.100.0/24', '2001:db8::/32']);
    expect(peers.allows('192.0.2.10')).toBe(true);
    expect(peers.allows('::ffff:192.0.2.10')).toBe(true);
    expect(peers.allows('198.51.100.77')).toBe(true);
    expect(peers.allows('2001:db8::5')).toBe(true);
    expect(peers.allows('192.0.2.11')).toBe(false);
    expect(peers.allows('not an address')).toBe(false);
    expect(() => new TrunkPeers(['trunk.example'])).toThrow(TypeError);
  });
});

describe('the narrow interfaces', () => {
  it('take the real ContactDesk and CallRouter as they are', () => {
    expectTypeOf<ContactDesk>().toMatchTypeOf<SipIntake>();
    expectTypeOf<CallRouter>().toMatchTypeOf<SipRouter>();
  });
});
