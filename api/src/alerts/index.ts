/** Alerts: rules as data, pure evaluation and life cycle, the service (timer + bus), delivery, routes. */
export { ALERT_SEVERITIES, ALERT_CHANNELS, defaultRules, parseRuleSet, type AlertRule, type AlertSeverity } from './rules.js';
export {
  evaluateAnomaly,
  evaluateDeviceOffline,
  evaluatePeakAtRisk,
  evaluateThreshold,
  projectQuarterHour,
  type Condition,
} from './evaluate.js';
export { reconcile, retryDelayMs, type OpenAlert, type Transition } from './engine.js';
export { AlertService, type AlertServiceOptions, type EvaluationResult } from './service.js';
export { billingPeriodStartMs } from './inputs.js';
export { registerAlertRoutes } from './routes.js';
export { startAlerts, type Alerts } from './wiring.js';
export { signWebhook, verifyWebhook, SIGNATURE_HEADER } from './delivery/webhook.js';
