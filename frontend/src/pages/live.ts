/**
 * Live values of a site for the pages: a REST snapshot (GET /sites/:id/series) kept current by the
 * live WebSocket API (frontend/src/live/client.ts, topic readings). While the socket is not live
 * (connecting, reconnecting, not offered by the service) the snapshot is polled every
 * LIVE_POLL_MS; while it is live, only every SNAPSHOT_MS as a safety net. A gap reported by the
 * server reloads the snapshot.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { listSeries } from '../api';
import { connectLive, liveUrl } from '../live/client';
import type { SeriesInfo } from '../series/model';
import { applyReadings, readingsOf } from './liveModel';
import { useResource, type Resource } from './resource';

export const LIVE_POLL_MS = 2000;
const SNAPSHOT_MS = 30_000;

export function useSiteSeries(siteId: string, failed: (err: unknown) => string | null): { res: Resource<SeriesInfo[]>; live: boolean } {
  const [live, setLive] = useState(false);
  const load = useCallback(() => listSeries(siteId), [siteId]);
  const [snapshot, reload] = useResource(`series:${siteId}`, load, failed, live ? SNAPSHOT_MS : LIVE_POLL_MS);
  const [pushed, setPushed] = useState<SeriesInfo[] | null>(null);
  const reloadRef = useRef(reload);
  reloadRef.current = reload;

  // a fresh snapshot replaces what was pushed on top of the previous one
  useEffect(() => {
    setPushed(snapshot.kind === 'ok' ? snapshot.data : null);
  }, [snapshot]);

  useEffect(() => {
    if (typeof WebSocket === 'undefined') return;
    const conn = connectLive({
      url: liveUrl(siteId, window.location),
      topics: ['readings'],
      onMessage: (m) => {
        if (m.topic === 'readings') setPushed((prev) => (prev ? applyReadings(prev, readingsOf(m.data)) : prev));
      },
      onGap: () => void reloadRef.current(),
      onStatus: (st) => setLive(st.state === 'live'),
    });
    return () => conn.close();
  }, [siteId]);

  const res: Resource<SeriesInfo[]> = snapshot.kind === 'ok' && pushed ? { ...snapshot, data: pushed } : snapshot;
  return { res, live };
}
