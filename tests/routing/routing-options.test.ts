import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { DEFAULT_ROUTING_OPTIONS, resolveRoutingOptions } from '../../src/routing/index.js';

describe('routing options', () => {
  it('defaults to longest-idle, a 20 s ring timeout and 30 s wrap-up', () => {
    expect(DEFAULT_ROUTING_OPTIONS).toEqual({
      strategy: 'longest-idle',
      ringTimeoutMs: 20_000,
      maxRingMs: 120_000,
      wrapUpMs: 30_000,
      announceIntervalMs: 60_000,
      maxQueueLength: 20,
      handleTimeSamples: 20,
      defaultHandleTimeMs: 600_000,
    });
    expect(Object.isFrozen(DEFAULT_ROUTING_OPTIONS)).toBe(true);
  });

  it('names every bad key in one HGW_CONFIG_INVALID', () => {
    let caught: unknown;
    try {
      resolveRoutingOptions({ strategy: 'random' as 'ring-all', ringTimeoutMs: 10, announceIntervalMs: 100, maxQueueLength: -1 });
    } catch (error) {
      caught = error;
    }
    expect(isGatewayError(caught, 'HGW_CONFIG_INVALID')).toBe(true);
    const message = (caught as Error).message;
    for (const key of ['strategy', 'ringTimeoutMs', 'announceIntervalMs', 'maxQueueLength']) expect(message).toContain(`${key}:`);
  });

  it('refuses a total ring time shorter than one ring, and unknown keys', () => {
    expect(() => resolveRoutingOptions({ ringTimeoutMs: 30_000, maxRingMs: 20_000 })).toThrow(/maxRingMs: must be at least ringTimeoutMs/);
    expect(() => resolveRoutingOptions({ ringTimeout: 5 } as never)).toThrow(/Unrecognized key: "ringTimeout"/);
  });
});
