import { describe, expect, it } from 'vitest';
import { isGatewayError, type GatewayErrorCode } from '../../src/errors.js';
import { StationRoster, type StationSnapshot } from '../../src/routing/station-roster.js';
import { desk, reference } from './router-fixture.js';

function codeOf(action: () => void): GatewayErrorCode | 'no error' | 'other error' {
  try {
    action();
    return 'no error';
  } catch (error) {
    return isGatewayError(error) ? error.code : 'other error';
  }
}

function roster(): { roster: StationRoster; changes: StationSnapshot[] } {
  const changes: StationSnapshot[] = [];
  return { roster: new StationRoster((station) => changes.push(station)), changes };
}

describe('the station roster', () => {
  it('walks available -> ringing -> busy -> wrap-up -> available and reports each step', () => {
    const { roster: stations, changes } = roster();
    stations.add(desk('s1'), 0);
    stations.ring('s1', reference('c1'), 10);
    stations.answer('s1', 20);
    stations.endCall('s1', 80);
    expect(stations.finishWrapUp('s1', 110)).toBe(90);
    expect(changes.map((change) => [change.state, change.since, change.contact])).toEqual([
      ['available', 0, null],
      ['ringing', 10, 'c1'],
      ['busy', 20, 'c1'],
      ['wrap-up', 80, 'c1'],
      ['available', 110, null],
    ]);
  });

  it('refuses transitions the state machine does not have with HGW_ROUTING_INVALID_STATE', () => {
    const { roster: stations } = roster();
    stations.add(desk('s1'), 0);
    expect(codeOf(() => stations.answer('s1', 1))).toBe('HGW_ROUTING_INVALID_STATE');
    expect(codeOf(() => stations.endCall('s1', 1))).toBe('HGW_ROUTING_INVALID_STATE');
    expect(codeOf(() => stations.finishWrapUp('s1', 1))).toBe('HGW_ROUTING_INVALID_STATE');
    expect(codeOf(() => stations.resume('s1', 1))).toBe('HGW_ROUTING_INVALID_STATE');
    stations.pause('s1', 1);
    expect(codeOf(() => stations.pause('s1', 2))).toBe('HGW_ROUTING_INVALID_STATE');
    expect(codeOf(() => stations.ring('s1', reference('c1'), 2))).toBe('HGW_ROUTING_INVALID_STATE');
    expect(codeOf(() => stations.add(desk('s1'), 2))).toBe('HGW_ROUTING_INVALID_STATE');
  });

  it('refuses unknown station ids with HGW_ROUTING_UNKNOWN_STATION', () => {
    const { roster: stations } = roster();
    expect(codeOf(() => stations.pause('nope', 0))).toBe('HGW_ROUTING_UNKNOWN_STATION');
    expect(codeOf(() => stations.assertKnown('nope'))).toBe('HGW_ROUTING_UNKNOWN_STATION');
  });

  it('never rings an unregistered desk phone', () => {
    const { roster: stations } = roster();
    stations.add(desk('s1', { registered: false }), 0);
    expect(stations.free()).toEqual([]);
    expect(codeOf(() => stations.ring('s1', reference('c1'), 1))).toBe('HGW_ROUTING_INVALID_STATE');
    stations.setRegistered('s1', true, 2);
    expect(stations.free()).toEqual(['s1']);
  });

  it('lists free stations longest idle first, where a missed ring does not reset idleness', () => {
    const { roster: stations } = roster();
    stations.add(desk('s1'), 0);
    stations.add(desk('s2'), 5);
    stations.add(desk('s3'), 5);
    stations.ring('s1', reference('c1'), 10);
    stations.stopRinging('s1', 30);
    expect(stations.free()).toEqual(['s1', 's2', 's3']);
    stations.ring('s1', reference('c2'), 40);
    stations.answer('s1', 41);
    stations.endCall('s1', 50);
    stations.finishWrapUp('s1', 60);
    expect(stations.free()).toEqual(['s2', 's3', 's1']);
    expect(stations.snapshot('s1', 100).idleMs).toBe(40);
  });

  it('refuses to remove a station with a call, and removes one without', () => {
    const { roster: stations } = roster();
    stations.add(desk('s1'), 0);
    stations.ring('s1', reference('c1'), 1);
    expect(codeOf(() => stations.remove('s1'))).toBe('HGW_ROUTING_INVALID_STATE');
    stations.stopRinging('s1', 2);
    stations.remove('s1');
    expect(codeOf(() => stations.assertKnown('s1'))).toBe('HGW_ROUTING_UNKNOWN_STATION');
  });

  it('counts staffed stations: registered, not paused, not about to pause', () => {
    const { roster: stations } = roster();
    for (const id of ['s1', 's2', 's3', 's4']) stations.add(desk(id), 0);
    stations.pause('s1', 1);
    stations.setRegistered('s2', false, 1);
    stations.ring('s3', reference('c1'), 1);
    stations.answer('s3', 2);
    stations.pause('s3', 3);
    expect(stations.staffed()).toBe(1);
  });
});
