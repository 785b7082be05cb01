import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { FakePanel, MAINTENANCE_MS, MaintenanceMode, PanelDisplay, ledModesFor, type BoxState, type MaintenanceGate } from '../../src/panel/index.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { ManualScheduler } from '../../src/time/scheduler.js';

let root: string | undefined;
let database: GatewayDatabase | undefined;

afterEach(() => {
  database?.close();
  database = undefined;
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

function maintenanceBox() {
  root = mkdtempSync(join(tmpdir(), 'hgw-maintenance-'));
  database = GatewayDatabase.open({ path: join(root, 'gateway.db'), logger: silentLogger() });
  const scheduler = new ManualScheduler(new Date('2026-03-02T09:00:00Z'));
  const audit = new AuditLog({ database, clock: scheduler.clock });
  const maintenance = new MaintenanceMode({ clock: scheduler.clock, scheduler, logger: silentLogger(), audit });
  const panel = new FakePanel({ scheduler });
  panel.on('long-press', () => maintenance.toggle());
  const state = (): BoxState => ({
    lifecycle: 'running',
    maintenance: maintenance.active(),
    line: 'idle',
    upstream: { connected: true, waiting: 0 },
    intakeStopped: false,
    openSecurityIncidents: 0,
  });
  const display = new PanelDisplay({ panel, state, scheduler, logger: silentLogger() });
  maintenance.onChange(() => display.refresh());
  const trail = () => audit.entries(0, 100).map((entry) => ({ action: entry.action, actorId: entry.actorId, details: entry.details }));
  return { scheduler, maintenance, panel, display, trail };
}

describe('maintenance mode', () => {
  it('is entered by a 3 s press of the panel button, shown by the ready LED blinking slowly, and ends by itself after 30 minutes', async () => {
    const { scheduler, maintenance, panel, display, trail } = maintenanceBox();
    await panel.start();
    display.start();
    expect(panel.leds().ready).toBe('on');
    panel.pressButton();
    scheduler.advance(2_999);
    expect(maintenance.active()).toBe(false);
    scheduler.advance(1);
    panel.releaseButton();
    expect(maintenance.active()).toBe(true);
    expect(maintenance.until()).toBe(scheduler.clock.now() + MAINTENANCE_MS);
    expect(panel.leds().ready).toBe('blink-slow');
    expect(panel.lit('ready')).toBe(true);
    scheduler.advance(500);
    expect(panel.lit('ready')).toBe(false);

    scheduler.advance(MAINTENANCE_MS - 501);
    expect(maintenance.active()).toBe(true);
    scheduler.advance(1);
    expect(maintenance.active()).toBe(false);
    expect(maintenance.until()).toBeUndefined();
    expect(panel.leds().ready).toBe('on');
    expect(trail()).toEqual([
      { action: 'maintenance.entered', actorId: 'panel', details: { trigger: 'button', minutes: 30 } },
      { action: 'maintenance.left', actorId: 'maintenance', details: { trigger: 'expired' } },
    ]);
    display.stop();
  });

  it('is left again by a second long press, and a short press does nothing', async () => {
    const { scheduler, maintenance, panel, trail } = maintenanceBox();
    await panel.start();
    panel.pressButton();
    scheduler.advance(3_000);
    panel.releaseButton();
    scheduler.advance(60_000);
    panel.pressButton();
    scheduler.advance(1_000);
    panel.releaseButton();
    expect(maintenance.active()).toBe(true);
    panel.pressButton();
    scheduler.advance(3_000);
    panel.releaseButton();
    expect(maintenance.active()).toBe(false);
    expect(trail().map((entry) => `${entry.action} ${String(entry.details['trigger'])}`)).toEqual(['maintenance.entered button', 'maintenance.left button']);
    // The expiry of the first entry no longer ends anything.
    scheduler.advance(MAINTENANCE_MS);
    expect(trail()).toHaveLength(2);
  });

  it('is what the update route asks: an object with active() and nothing else needed', () => {
    const { maintenance } = maintenanceBox();
    const gate: MaintenanceGate = maintenance;
    expect(gate.active()).toBe(false);
    maintenance.enter();
    expect(gate.active()).toBe(true);
    expect(ledModesFor({ lifecycle: 'running', maintenance: gate.active(), line: 'idle', upstream: { connected: true, waiting: 0 }, intakeStopped: false, openSecurityIncidents: 0 }).ready).toBe('blink-slow');
  });
});
