import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/collector/backoff.js';
import { dailyChannelChart, topTopicsChart } from '../../src/collector/dashboard-charts.js';
import { dashboardDays, renderDashboard } from '../../src/collector/dashboard-page.js';

describe('the dashboard page and its charts', () => {
  it('counts days in the site zone, through the change to summer time', () => {
    expect(dashboardDays(Date.parse('2025-03-31T10:00:00Z'), 'Europe/Amsterdam', 3)).toEqual(['2025-03-29', '2025-03-30', '2025-03-31']);
    // 23:30 UTC on the 30th is already the 31st in Amsterdam.
    expect(dashboardDays(Date.parse('2025-03-30T23:30:00Z'), 'Europe/Amsterdam', 1)).toEqual(['2025-03-31']);
  });

  it('marks a day whose only counts were suppressed, instead of drawing nothing as if it were zero', () => {
    const svg = dailyChannelChart([{ day: '2025-06-02', channel: 'chat', shown: 0, suppressed: 1 }], ['2025-06-01', '2025-06-02']);
    expect(svg.match(/class="suppressed"/g)).toHaveLength(1);
    expect(svg).toContain('2025-06-02: onderdrukte aantallen');
    expect(dailyChannelChart([{ day: '2025-06-02', channel: 'chat', shown: 0, suppressed: 0 }], ['2025-06-02'])).not.toContain('class="suppressed"');
  });

  it('says how often a topic was suppressed and never prints markup from the data', () => {
    const svg = topTopicsChart([{ topic: 'home', shown: 40, suppressed: 2 }, { topic: '<script>', shown: 3, suppressed: 0 }]);
    expect(svg).toContain('40 + onderdrukt (2×)');
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&#60;script&#62;');
  });

  it('says plainly when the database cannot be read, and which component is down', () => {
    const html = renderDashboard({ data: undefined, health: { database: 'down', broker: 'paused' }, now: Date.parse('2025-06-02T10:00:00Z'), timeZone: 'Europe/Amsterdam', days: [] });
    expect(html).toContain('Database: niet bereikbaar · Broker: gepauzeerd (database niet bereikbaar)');
    expect(html).toContain('<html lang="nl">');
    expect(html).not.toMatch(/<script|style="/);
  });

  it('backs off exponentially with jitter, up to its maximum', () => {
    const options = { initialMs: 1_000, maxMs: 30_000 };
    expect(backoffDelay(0, options, () => 0.5)).toBe(1_000);
    expect(backoffDelay(3, options, () => 0.5)).toBe(8_000);
    expect(backoffDelay(40, options, () => 1)).toBe(36_000);
    expect(backoffDelay(0, options, () => 0)).toBe(800);
  });
});
