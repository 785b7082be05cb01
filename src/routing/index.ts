export { CallRouter, type CallRouterOptions } from './call-router.js';
export type {
  AbandonedFrom,
  ContactPhase,
  QueueEntrySnapshot,
  RoutingContact,
  RoutingEvents,
  RoutingSnapshot,
  StopRingingReason,
} from './routing-events.js';
export {
  DEFAULT_ROUTING_OPTIONS,
  resolveRoutingOptions,
  routingOptionsSchema,
  type RoutingOptions,
  type RoutingOptionsInput,
  type RoutingStrategy,
} from './routing-options.js';
export type { StationDefinition, StationSnapshot, StationState } from './station-roster.js';
