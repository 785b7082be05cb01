import { describe, expect, it } from 'vitest';
import { can, capabilitiesOf, CAPABILITIES, isCapability, isRole, ROLES } from '../../src/accounts/index.js';

describe('roles and capabilities', () => {
  it('lets the technician read health and versions and flash signed updates, and nothing else (P15)', () => {
    expect(capabilitiesOf('technician')).toEqual(['health.read', 'update.apply']);
    for (const capability of CAPABILITIES) expect(can('technician', capability), capability).toBe(capability === 'health.read' || capability === 'update.apply');
  });

  it('gives each role exactly the capabilities of the table', () => {
    expect(Object.fromEntries(ROLES.map((role) => [role, capabilitiesOf(role)]))).toEqual({
      volunteer: ['contacts.view', 'contacts.wrap-up', 'moderation.timeout'],
      supervisor: ['contacts.view', 'contacts.wrap-up', 'listen-along', 'moderation.timeout'],
      coordinator: [
        'contacts.view',
        'contacts.wrap-up',
        'moderation.timeout',
        'moderation.block',
        'rights.manage',
        'disclosure.approve',
        'transcripts.read',
        'incidents.manage',
        'audit.read',
        'health.read',
        'accounts.manage',
      ],
      technician: ['health.read', 'update.apply'],
    });
  });

  it('keeps blocks, rights, disclosure, the audit log and accounts to coordinators', () => {
    for (const capability of ['moderation.block', 'rights.manage', 'disclosure.approve', 'transcripts.read', 'audit.read', 'accounts.manage', 'incidents.manage'] as const) {
      expect(ROLES.filter((role) => can(role, capability)), capability).toEqual(['coordinator']);
    }
  });

  it('keeps flashing updates to technicians: not even a coordinator replaces the firmware', () => {
    expect(ROLES.filter((role) => can(role, 'update.apply'))).toEqual(['technician']);
  });

  it('tells roles and capabilities from other strings', () => {
    expect(isRole('coordinator')).toBe(true);
    expect(isRole('admin')).toBe(false);
    expect(isRole(undefined)).toBe(false);
    expect(isCapability('health.read')).toBe(true);
    expect(isCapability('health')).toBe(false);
  });
});
