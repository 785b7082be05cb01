export type { Period, PeriodLength } from './period-calendar.js';
export { PERIOD_LENGTHS, periodContaining, closedPeriodsBetween, formatLocalIso, utcOffsetAt } from './period-calendar.js';
export type { BirthMessage, HealthMessage, IncidentMessage, OutgoingMessage, StatsMessage, StatusMessage, StatusState, TopicKind, UpstreamPayloadSpec } from './topics.js';
export type { BirthOutboxReport } from './birth-message.js';
export { BIRTH_SCHEMA } from './birth-message.js';
export type { PublishedKind } from './schema-ids.js';
export { UPSTREAM_SCHEMA_IDS, PUBLISHED_KINDS, schemaFileName } from './schema-ids.js';
export type { StatsDimension, StatsDimensions, StatsDisclosure, StatsNoise, StatsSecondarySuppression, StatsTable } from './stats-message.js';
export { STATS_SCHEMA, STATS_DIMENSIONS, STATS_MARGIN_GROUPS, countAt, tableIndex, tableKeys, tableSize, statsMessageSchema } from './stats-message.js';
export {
  TOPIC_ROOT,
  OTHER_CATEGORY,
  STATS_CHANNELS,
  upstreamTopic,
  statusTopic,
  statsTopic,
  healthTopic,
  incidentTopic,
  birthTopic,
  parseUpstreamTopic,
  UPSTREAM_PAYLOADS,
  validateOutgoing,
  encodeStatsMessage,
  encodeStatusMessage,
  encodeIncidentMessage,
  encodeBirthMessage,
  encodeHealthMessage,
} from './topics.js';
export { HEALTH_SCHEMA, healthMessageOf, healthMessageSchema } from './health-message.js';
export type { HealthPublisherOptions } from './health-publisher.js';
export { HealthPublisher, HEALTH_INTERVAL_MS } from './health-publisher.js';
export type { BirthAnnouncerOptions } from './birth-announcer.js';
export { BirthAnnouncer } from './birth-announcer.js';
export type { IncidentCountsSource, IncidentReportOptions, PeriodMessageSource } from './incident-report.js';
export { IncidentReport } from './incident-report.js';
export type { StatsCategories, CountTable } from './stats-table.js';
export { statsDimensions, tabulateCounts, withOtherCategory } from './stats-table.js';
export type { ProtectedTable, ProtectionSettings, TableNoise, RandomBits, TableProtector, TableToProtect, NoiseParameters } from './disclosure/index.js';
export { protectTable, CryptoRandomBits, WorkerTableProtector } from './disclosure/index.js';
export type { StatsSettings, StatsAggregatorOptions, StatsDisclosureSettings, ClosedPeriod } from './stats-aggregator.js';
export { StatsAggregator, DEFAULT_STATS_DISCLOSURE } from './stats-aggregator.js';
export type { UpstreamConnectionOptions, UpstreamTlsOptions, PublishOptions } from './mqtt-connection.js';
export { UpstreamConnection } from './mqtt-connection.js';
export type { OutboxPublisherOptions, PublishedMessage, PublishingConnection } from './outbox-publisher.js';
export { OutboxPublisher, DEFAULT_WINDOW } from './outbox-publisher.js';
export type { BrokerPublish, EmbeddedBrokerOptions } from './embedded-broker.js';
export { EmbeddedBroker } from './embedded-broker.js';
export type { UpstreamServiceOptions } from './upstream-service.js';
export { UpstreamService } from './upstream-service.js';
export type { UpstreamCredentialSettings, UpstreamCredentials } from './upstream-credentials.js';
export { readUpstreamCredentials } from './upstream-credentials.js';
