/**
 * The simulator's clock, injected everywhere (the physics never reads the wall clock itself).
 * - `realTimeClock(speed)`: simulated time starts at the real time of creation and runs `speed`
 *   times as fast as the wall clock (1 = real time, 60 = one simulated minute per second).
 * - `manualClock(startMs)`: only moves when a test calls `advance`/`set`.
 */
export interface SimClock {
  /** simulated time, epoch ms (UTC) */
  now(): number;
  /** simulated seconds per wall-clock second */
  readonly speed: number;
}

export interface ManualClock extends SimClock {
  advance(ms: number): void;
  set(ms: number): void;
}

export function manualClock(startMs: number): ManualClock {
  let t = startMs;
  return {
    speed: 1,
    now: () => t,
    advance(ms) {
      if (!(ms >= 0)) throw new Error(`manual clock: cannot advance by ${ms} ms`);
      t += ms;
    },
    set(ms) {
      t = ms;
    },
  };
}

/** Simulated time = start + (wall − wallStart) × speed; `wall` is injectable for tests. */
export function realTimeClock(speed = 1, options: { startMs?: number; wall?: () => number } = {}): SimClock {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`simulator speed must be a positive number (got ${speed})`);
  const wall = options.wall ?? Date.now;
  const wallStart = wall();
  const simStart = options.startMs ?? wallStart;
  return { speed, now: () => simStart + (wall() - wallStart) * speed };
}
