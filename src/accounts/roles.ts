/**
 * Who may do what. A closed list of roles and capabilities, so a typo in a route's capability is a
 * compile error, and one table that the HTTP layer and the pages ask through `can`.
 */
export const ROLES = ['volunteer', 'supervisor', 'coordinator', 'technician'] as const;
export type Role = (typeof ROLES)[number];

export const CAPABILITIES = [
  'contacts.view',
  'contacts.wrap-up',
  'listen-along',
  'moderation.timeout',
  'moderation.block',
  'rights.manage',
  'disclosure.approve',
  'transcripts.read',
  'incidents.manage',
  'audit.read',
  'health.read',
  'accounts.manage',
  'update.apply',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

const VOLUNTEER: readonly Capability[] = ['contacts.view', 'contacts.wrap-up', 'moderation.timeout'];

const ROLE_CAPABILITIES: Readonly<Record<Role, ReadonlySet<Capability>>> = {
  volunteer: new Set(VOLUNTEER),
  // Werkbegeleider: a volunteer's work plus listening along to coach (DESIGN.md, "Who uses it").
  supervisor: new Set<Capability>([...VOLUNTEER, 'listen-along']),
  // The "authorized employee" of the statements: blocks (P4), rights (P13), incidents (P14),
  // break-glass (P16), closed chats' transcripts (BE: "enkel toegankelijk voor de coördinatoren", P8),
  // accounts. Health carries no personal data, so the coordinator page shows it too.
  coordinator: new Set<Capability>([
    ...VOLUNTEER,
    'moderation.block',
    'rights.manage',
    'disclosure.approve',
    'transcripts.read',
    'incidents.manage',
    'audit.read',
    'health.read',
    'accounts.manage',
  ]),
  // P15: IT suppliers have no access to data: health and versions, and flashing a signed update
  // (whose upload is accepted only in maintenance mode, with someone at the box).
  technician: new Set<Capability>(['health.read', 'update.apply']),
};

export function can(role: Role, capability: Capability): boolean {
  return ROLE_CAPABILITIES[role].has(capability);
}

/** In the order of CAPABILITIES, for a page that lists what a role may do. */
export function capabilitiesOf(role: Role): readonly Capability[] {
  return CAPABILITIES.filter((capability) => can(role, capability));
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isCapability(value: unknown): value is Capability {
  return typeof value === 'string' && (CAPABILITIES as readonly string[]).includes(value);
}
