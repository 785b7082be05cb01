export type { StationServerOptions } from './station-server.js';
export { StationServer } from './station-server.js';
export type { StationCredential } from './station-auth.js';
export { StationAuthenticator, MIN_TOKEN_LENGTH, MAX_TOKEN_LENGTH } from './station-auth.js';
export type {
  ChatJson,
  ConversationLineJson,
  MailMessageJson,
  MailThreadJson,
  StationContactJson,
  StationEventFrame,
  SuggestedSpanJson,
} from './station-json.js';
export { STATION_CONTACT_KEYS, toStationContactJson } from './station-json.js';
export { CLOSE_UNAUTHORIZED, CLOSE_AUTH_TIMEOUT, type StationSnapshot } from './station-events.js';
export { MAX_TEXT_LENGTH } from './station-conversation-http.js';
export type {
  CoordinatorActor,
  CoordinatorAccounts,
  CoordinatorAudit,
  CoordinatorBackend,
  CoordinatorDisclosures,
  CoordinatorIncidents,
  CoordinatorRetention,
  CoordinatorSystem,
  DisclosureApprovalView,
  DisclosureRefusalCode,
  DisclosureRefusalView,
  HealthCheckView,
  IncidentAlertView,
  IncidentSeverityView,
  IncidentView,
  PendingDisclosureView,
  RetentionStatusView,
} from './coordinator-backend.js';
export { coordinatorPlugin, type CoordinatorPluginOptions } from './coordinator-routes.js';
export type { CoordinatorModeration } from './coordinator-moderation-routes.js';
export type { CoordinatorUpdate } from './coordinator-update-routes.js';
export { SESSION_COOKIE, CSRF_HEADER, parseCookies } from './session-auth.js';
export type {
  ListenAlongView,
  LiveCallView,
  SupervisionBackend,
  SupervisionDeskView,
  SupervisionRefusal,
  SupervisionResult,
} from './supervision-backend.js';
export { supervisionPlugin, type SupervisionPluginOptions } from './supervision-routes.js';
