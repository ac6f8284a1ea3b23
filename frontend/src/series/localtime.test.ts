import { describe, expect, it } from 'vitest';
import { formatDateTime, formatLocalIso, fromLocalMs, timeTicks, toLocalMs, zoneOffsetMs, zoneOrUtc } from './localtime';

const BER = 'Europe/Berlin';
const H = 3_600_000;

describe('zone offsets', () => {
  it('knows winter and summer time', () => {
    expect(zoneOffsetMs(Date.parse('2026-01-15T12:00:00Z'), BER)).toBe(H);
    expect(zoneOffsetMs(Date.parse('2026-07-15T12:00:00Z'), BER)).toBe(2 * H);
    expect(zoneOffsetMs(Date.parse('2026-07-15T12:00:00Z'), 'UTC')).toBe(0);
  });

  it('round-trips local wall-clock times', () => {
    const ms = Date.parse('2026-03-29T00:30:00Z'); // 01:30 CET, before the jump
    expect(fromLocalMs(toLocalMs(ms, BER), BER)).toBe(ms);
    const summer = Date.parse('2026-03-29T01:30:00Z'); // 03:30 CEST
    expect(fromLocalMs(toLocalMs(summer, BER), BER)).toBe(summer);
  });

  it('resolves the repeated autumn hour to its first occurrence', () => {
    // 2026-10-25 02:30 local exists twice: 00:30Z (CEST) and 01:30Z (CET).
    expect(fromLocalMs(Date.UTC(2026, 9, 25, 2, 30), BER)).toBe(Date.parse('2026-10-25T00:30:00Z'));
  });

  it('moves a skipped spring time forward by the jump', () => {
    // 2026-03-29 02:30 local does not exist; 03:30 CEST is 01:30Z.
    expect(fromLocalMs(Date.UTC(2026, 2, 29, 2, 30), BER)).toBe(Date.parse('2026-03-29T01:30:00Z'));
  });

  it('falls back to UTC for unknown zones', () => {
    expect(zoneOrUtc('Mars/Olympus')).toBe('UTC');
    expect(zoneOrUtc('')).toBe('UTC');
    expect(zoneOrUtc(BER)).toBe(BER);
  });
});

describe('formatLocalIso', () => {
  it('writes the local time with its offset', () => {
    expect(formatLocalIso(Date.parse('2026-01-15T12:00:00Z'), BER)).toBe('2026-01-15T13:00:00+01:00');
    expect(formatLocalIso(Date.parse('2026-07-15T22:30:05Z'), BER)).toBe('2026-07-16T00:30:05+02:00');
    expect(formatLocalIso(Date.parse('2026-07-15T12:00:00Z'), 'America/St_Johns')).toBe('2026-07-15T09:30:00-02:30');
  });
});

describe('formatDateTime', () => {
  it('labels in the zone and language', () => {
    const ms = Date.parse('2026-07-15T22:30:05Z');
    expect(formatDateTime(ms, BER, 'de')).toContain('16');
    expect(formatDateTime(ms, BER, 'de')).toContain('00:30:05');
    expect(formatDateTime(ms, 'UTC', 'en')).toContain('22:30:05');
  });
});

describe('timeTicks', () => {
  it('puts 24 h ticks on full local hours, midnight labelled with the date', () => {
    const to = Date.parse('2026-07-15T10:07:00Z');
    const ticks = timeTicks(to - 24 * H, to, BER, 'en');
    expect(ticks.length).toBeGreaterThan(3);
    expect(ticks.length).toBeLessThanOrEqual(7);
    for (const t of ticks) expect(toLocalMs(t.ms, BER) % (3 * H)).toBe(0);
    expect(ticks.some((t) => t.label === '15 Jul')).toBe(true);
    expect(ticks.some((t) => /^\d\d:00$/.test(t.label))).toBe(true);
  });

  it('puts day ticks on local midnights, also across the DST change', () => {
    const to = Date.parse('2026-04-02T10:00:00Z');
    const ticks = timeTicks(to - 7 * 24 * H, to, BER, 'de');
    expect(ticks.length).toBeGreaterThan(2);
    for (const t of ticks) expect(toLocalMs(t.ms, BER) % (24 * H)).toBe(0);
  });

  it('uses months for a year', () => {
    const to = Date.parse('2026-07-15T10:00:00Z');
    const ticks = timeTicks(to - 365 * 24 * H, to, BER, 'en');
    expect(ticks.length).toBeGreaterThan(2);
    for (const t of ticks) expect(new Date(toLocalMs(t.ms, BER)).getUTCDate()).toBe(1);
    expect(ticks.map((t) => t.label)).toContain('Jan 2026');
  });

  it('returns nothing for an empty range', () => {
    expect(timeTicks(5, 5, BER, 'en')).toEqual([]);
  });
});
