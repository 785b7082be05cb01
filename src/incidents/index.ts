export {
  IncidentRegister,
  AUTHORITY_DEADLINE_MS,
  INCIDENT_KINDS,
  INCIDENT_SEVERITIES,
  isIncidentKind,
  type IncidentAlert,
  type IncidentKind,
  type IncidentPeriodCounts,
  type IncidentRaiser,
  type IncidentRegisterOptions,
  type RaiseIncident,
  type RaisedIncident,
} from './incident-register.js';
export { LoginBurstIncidents, type LoginBurst, type LoginBurstIncidentsOptions, type LoginBurstSource } from './login-burst-incidents.js';
export { IntegrityWatch, type IntegrityCheckResult, type IntegrityWatchOptions } from './integrity-watch.js';
export {
  KeyringPermissionWatch,
  type KeyringEntryStats,
  type KeyringPermissionResult,
  type KeyringPermissionWatchOptions,
} from './keyring-permission-watch.js';
