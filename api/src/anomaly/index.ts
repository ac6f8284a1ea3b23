/** Anomaly detection for ingested series (pure): the public face of this folder. */
export { detectAnomalies, mergeFindings, DEFAULT_DETECT_OPTIONS } from './detect.js';
export type { DetectOptions, Finding, FindingKind, Point, Severity } from './detect.js';
export { injectFaults, mulberry32, FAULT_KINDS, DEFAULT_INJECT_OPTIONS } from './inject.js';
export type { FaultKind, InjectedFault, InjectOptions } from './inject.js';
