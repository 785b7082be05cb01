/**
 * Whether the box is in maintenance mode (the front panel's button, held 3 s; at most 30 minutes;
 * issue 7's contract). A bundle uploaded over the network is accepted only then: someone must be
 * standing at the box. main.ts wires the panel's mode; without a panel it is never active.
 */
export interface MaintenanceMode {
  active(): boolean;
}

export const NO_MAINTENANCE_MODE: MaintenanceMode = { active: () => false };
