/**
 * STABLE CONTRACT: topics on the in-process event bus (app.bus) that the live WebSocket API
 * (api/src/live) forwards to clients, per site. Every message carries its siteId. Publishers:
 * ingest writer (readings), planning (plans), control (commands, overrides, signals, agent
 * states), devices (device states), events/anomaly scans (events), alerts (alerts).
 * Change additively only.
 */
import type { CommandRecord, GridSignal, Override } from '../control/model.js';

export const LIVE_TOPICS = {
  readings: 'live.readings',
  plan: 'live.plan',
  command: 'live.command',
  override: 'live.override',
  signal: 'live.signal',
  agent: 'live.agent',
  device: 'live.device',
  event: 'live.event',
  alert: 'live.alert',
} as const;
export type LiveTopic = (typeof LIVE_TOPICS)[keyof typeof LIVE_TOPICS];

export interface LiveReadings {
  siteId: string;
  /** accepted readings, newest value per series in this batch is enough for a dashboard */
  readings: { seriesId: number; key?: string; tsMs: number; value: number }[];
}
export interface LivePlan {
  siteId: string;
  planId: string;
  createdAtMs: number;
  reason: string;
  peakTargetW: number;
  costEur?: number;
}
export type LiveCommand = CommandRecord;
export interface LiveOverride {
  siteId: string;
  override: Override;
  change: 'set' | 'released' | 'expired';
}
export interface LiveSignal {
  siteId: string;
  signal: GridSignal;
  change: 'received' | 'cancelled' | 'ended';
}
export interface LiveAgent {
  siteId: string;
  assetId: string;
  /** following the plan / manual override / stopped (stale data, device offline, automation off) */
  mode: 'auto' | 'override' | 'grid-signal' | 'stopped';
  reason?: string;
  setpointW?: number;
  atMs: number;
}
export interface LiveDevice {
  siteId: string;
  deviceId: string;
  state: string;
  sinceMs: number;
  lastValueMs: number | null;
}
export interface LiveEvent {
  siteId: string;
  event: { id: number | string; kind: string; severity: string; message: string; atMs: number; [k: string]: unknown };
}
export interface LiveAlert {
  siteId: string;
  alert: {
    id: string;
    ruleId: string;
    state: 'firing' | 'acknowledged' | 'resolved';
    severity: string;
    message: string;
    atMs: number;
    [k: string]: unknown;
  };
}
