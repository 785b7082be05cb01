export { IncidentRegister, AUTHORITY_DEADLINE_MS, type IncidentAlert, type IncidentKind, type RaiseIncident } from './incident-register.js';
