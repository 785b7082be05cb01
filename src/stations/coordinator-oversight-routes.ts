import type { FastifyInstance, FastifyReply } from 'fastify';
import { AUTHORITY_DEADLINE_MS } from '../incidents/incident-register.js';
import type { CoordinatorBackend, IncidentSeverityView, IncidentView } from './coordinator-backend.js';
import { COORDINATOR_CODES, sendCoordinatorError, type SessionGuard } from './coordinator-http.js';
import { auditEntryJson, auditVerificationJson, incidentJson, retentionStatusJson } from './coordinator-json.js';

/** The kinds a person raises by hand; the others (login bursts, integrity faults, disclosures) the box raises itself. */
export const MANUAL_INCIDENT_KINDS = ['data-breach', 'tamper', 'other'] as const;
type ManualIncidentKind = (typeof MANUAL_INCIDENT_KINDS)[number];

const DEFAULT_AUDIT_PAGE = 50;
const MAX_AUDIT_PAGE = 200;

const INCIDENT_ID_PARAM = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
} as const;

const RAISE_SCHEMA = {
  body: {
    type: 'object',
    required: ['kind', 'severity', 'summary'],
    additionalProperties: false,
    properties: {
      kind: { type: 'string', enum: [...MANUAL_INCIDENT_KINDS] },
      severity: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
      summary: { type: 'string', minLength: 1, maxLength: 2000 },
    },
  },
} as const;

const ASSESS_SCHEMA = {
  params: INCIDENT_ID_PARAM,
  body: { type: 'object', required: ['assessment'], additionalProperties: false, properties: { assessment: { type: 'string', minLength: 1, maxLength: 2000 } } },
} as const;

const AUDIT_QUERY_SCHEMA = {
  querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$' } } },
} as const;

/**
 * IncidentRegister throws RangeError for an unknown id and TypeError for empty, overlong or
 * identifier-shaped text (its messages name the field, never the text).
 */
function incidentRefusal(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof RangeError) return sendCoordinatorError(reply, 404, COORDINATOR_CODES.notFound, 'no such incident');
  if (error instanceof TypeError) return sendCoordinatorError(reply, 400, COORDINATOR_CODES.badRequest, error.message);
  throw error;
}

/** Incidents (P14, incidents.manage), the audit log and retention status (audit.read). */
export function addOversightRoutes(app: FastifyInstance, backend: CoordinatorBackend, guard: SessionGuard): void {
  const incidents = backend.incidents;
  const manage = guard.hook('incidents.manage');
  const withDeadline = (incident: IncidentView) => {
    const alert = incidents.alerts().find((entry) => entry.incident.id === incident.id);
    return incidentJson(incident, incident.detectedAt + AUTHORITY_DEADLINE_MS, alert?.kind ?? null);
  };

  app.get('/api/v1/incidents', { onRequest: manage }, async () => {
    const alerts = new Map(incidents.alerts().map((alert) => [alert.incident.id, alert.kind]));
    return { incidents: incidents.open().map((incident) => incidentJson(incident, incident.detectedAt + AUTHORITY_DEADLINE_MS, alerts.get(incident.id) ?? null)) };
  });

  app.post<{ Body: { kind: ManualIncidentKind; severity: IncidentSeverityView; summary: string } }>(
    '/api/v1/incidents',
    { onRequest: manage, schema: RAISE_SCHEMA },
    async (request, reply) => {
      let raised: ReturnType<typeof incidents.raise>;
      try {
        raised = incidents.raise({ kind: request.body.kind, severity: request.body.severity, summary: request.body.summary });
      } catch (error) {
        return incidentRefusal(reply, error);
      }
      const { incident, folded } = raised;
      // The register audits `incident.raised` as the system; this entry says which person reported it.
      guard.audit(guard.actorOf(request), 'incident.updated', `incident-${incident.id}`, { change: 'raised-by-hand', folded });
      return reply.code(folded ? 200 : 201).send({ incident: withDeadline(incident), folded });
    },
  );

  const update = (url: string, change: string, apply: (id: number, body: { assessment?: string }) => IncidentView, schema: object): void => {
    app.post<{ Params: { id: string }; Body: { assessment?: string } }>(url, { onRequest: manage, schema }, async (request, reply) => {
      const id = Number(request.params.id);
      let incident: IncidentView;
      try {
        incident = apply(id, request.body ?? {});
      } catch (error) {
        return incidentRefusal(reply, error);
      }
      const closed = change === 'closed';
      guard.audit(guard.actorOf(request), closed ? 'incident.closed' : 'incident.updated', `incident-${id}`, closed ? undefined : { change });
      return { incident: withDeadline(incident) };
    });
  };
  update('/api/v1/incidents/:id/assessment', 'assessed', (id, body) => incidents.assess(id, body.assessment ?? ''), ASSESS_SCHEMA);
  update('/api/v1/incidents/:id/reported-to-authority', 'reported-to-authority', (id) => incidents.markReportedToAuthority(id), { params: INCIDENT_ID_PARAM });
  update('/api/v1/incidents/:id/persons-notified', 'persons-notified', (id) => incidents.markPersonsNotified(id), { params: INCIDENT_ID_PARAM });
  update('/api/v1/incidents/:id/close', 'closed', (id) => incidents.close(id), { params: INCIDENT_ID_PARAM });

  const auditRead = guard.hook('audit.read');

  app.get<{ Querystring: { limit?: string } }>('/api/v1/audit', { onRequest: auditRead, schema: AUDIT_QUERY_SCHEMA }, async (request) => {
    const limit = Math.min(MAX_AUDIT_PAGE, Number(request.query.limit ?? DEFAULT_AUDIT_PAGE));
    const total = backend.audit.count();
    const entries = backend.audit.entries(Math.max(0, total - limit), limit).map(auditEntryJson).reverse();
    return { total, entries };
  });

  app.get('/api/v1/audit/verification', { onRequest: auditRead }, async () => auditVerificationJson(backend.audit.verify()));

  app.get('/api/v1/retention', { onRequest: auditRead }, async () => {
    const plan = backend.retention.currentStatus();
    return { now: plan.now, timeZone: plan.timeZone, status: plan.status.map(retentionStatusJson) };
  });
}
