import { describe, expect, it } from 'vitest';
import { StationAuthenticator } from '../../src/stations/index.js';

const stations = [
  { id: 'desk-1', token: 'desk-one-secret-token-7f3a9c' },
  { id: 'desk-2', token: 'desk-two-secret-token-b81e4d' },
];

describe('StationAuthenticator', () => {
  it('tells each station by its own token and refuses any other', () => {
    const auth = new StationAuthenticator(stations);
    expect(auth.authenticate('desk-one-secret-token-7f3a9c')).toBe('desk-1');
    expect(auth.authenticate('desk-two-secret-token-b81e4d')).toBe('desk-2');
    expect(auth.authenticate('desk-one-secret-token-7f3a9')).toBeUndefined();
    expect(auth.authenticate('')).toBeUndefined();
    expect(auth.authenticate(42)).toBeUndefined();
    expect(auth.authenticate(undefined)).toBeUndefined();
  });

  it('reads only a Bearer authorization header', () => {
    const auth = new StationAuthenticator(stations);
    expect(auth.authenticateHeader('Bearer desk-two-secret-token-b81e4d')).toBe('desk-2');
    expect(auth.authenticateHeader('bearer desk-two-secret-token-b81e4d')).toBe('desk-2');
    expect(auth.authenticateHeader('Basic desk-two-secret-token-b81e4d')).toBeUndefined();
    expect(auth.authenticateHeader('desk-two-secret-token-b81e4d')).toBeUndefined();
    expect(auth.authenticateHeader(undefined)).toBeUndefined();
  });

  it('refuses a configuration with no stations, short tokens, or shared ids and tokens, without printing a token', () => {
    expect(() => new StationAuthenticator([])).toThrow(TypeError);
    expect(() => new StationAuthenticator([{ id: 'desk-1', token: 'short' }])).toThrow(/stations\[0\]\.token/);
    expect(() => new StationAuthenticator([{ id: 'desk 1', token: 'desk-one-secret-token-7f3a9c' }])).toThrow(/stations\[0\]\.id/);
    expect(() => new StationAuthenticator([stations[0]!, { id: 'desk-1', token: 'another-secret-token-1234' }])).toThrow(/duplicate/);
    let message = '';
    try {
      new StationAuthenticator([stations[0]!, { id: 'desk-3', token: stations[0]!.token }]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/shared with another station/);
    expect(message).not.toContain(stations[0]!.token);
  });
});
