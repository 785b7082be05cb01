export type { Period, PeriodLength } from './period-calendar.js';
export { PERIOD_LENGTHS, periodContaining, closedPeriodsBetween, formatLocalIso, utcOffsetAt } from './period-calendar.js';
export type { IncidentMessage, OutgoingMessage, StatsCell, StatsMessage, StatusMessage, StatusState, TopicKind } from './topics.js';
export {
  TOPIC_ROOT,
  OTHER_CATEGORY,
  STATS_CHANNELS,
  upstreamTopic,
  statusTopic,
  statsTopic,
  healthTopic,
  incidentTopic,
  parseUpstreamTopic,
  validateOutgoing,
  encodeStatsMessage,
  encodeStatusMessage,
  encodeIncidentMessage,
} from './topics.js';
export type { IncidentCountsSource, IncidentReportOptions, PeriodMessageSource } from './incident-report.js';
export { IncidentReport } from './incident-report.js';
export type { StatsCategories, Tabulation } from './suppression.js';
export { tabulate, isSuppressed, withOtherCategory } from './suppression.js';
export type { StatsSettings, StatsAggregatorOptions, ClosedPeriod } from './stats-aggregator.js';
export { StatsAggregator } from './stats-aggregator.js';
export type { UpstreamConnectionOptions, UpstreamTlsOptions, PublishOptions } from './mqtt-connection.js';
export { UpstreamConnection } from './mqtt-connection.js';
export type { OutboxPublisherOptions, PublishedMessage, PublishingConnection } from './outbox-publisher.js';
export { OutboxPublisher } from './outbox-publisher.js';
export type { BrokerPublish, EmbeddedBrokerOptions } from './embedded-broker.js';
export { EmbeddedBroker } from './embedded-broker.js';
export type { UpstreamServiceOptions } from './upstream-service.js';
export { UpstreamService } from './upstream-service.js';
