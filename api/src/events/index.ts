/** Events (anomaly findings, missing prices) with severity, de-duplicated per site; list and acknowledge. */
export {
  acknowledgeEvent,
  EVENT_SEVERITIES,
  listEvents,
  upsertEvents,
  type EventQuery,
  type EventRecord,
  type EventSeverity,
  type NewEvent,
} from './store.js';
export { registerEventRoutes, EventSchema } from './routes.js';
