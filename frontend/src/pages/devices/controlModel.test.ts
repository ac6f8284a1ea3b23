import { describe, expect, it } from 'vitest';
import { parseCommands, parseControl, parseSignals } from './controlModel';

describe('control state on the devices page', () => {
  it('reads agents and the peak line', () => {
    const c = parseControl({
      running: true,
      overdue: false,
      lastTickAtMs: 5,
      peak: { targetW: 700, lineW: 690, projectedAverageW: 650 },
      agents: [
        {
          assetId: 'battery',
          kind: 'battery',
          mode: 'override',
          reason: 'manual',
          lastWrittenW: -50,
          measurementAgeMs: 800,
          watchdog: 'ok',
        },
      ],
    })!;
    expect(c.peakLineW).toBe(690);
    expect(c.agents[0]).toMatchObject({ assetId: 'battery', mode: 'override', lastWrittenW: -50, lastError: null });
    expect(parseControl({ running: false })).toBeNull();
  });

  it('reads commands, dropping broken ones', () => {
    const list = parseCommands({
      commands: [
        {
          id: 2,
          atMs: 10,
          assetId: 'battery',
          source: 'manual',
          requestedW: -60,
          writtenW: -50,
          clampedBy: ['ramp'],
          result: 'ok',
          userName: 'otto',
        },
        { id: 'x' },
      ],
      nextBeforeId: null,
    });
    expect(list).toEqual([
      {
        id: 2,
        atMs: 10,
        assetId: 'battery',
        source: 'manual',
        requestedW: -60,
        writtenW: -50,
        clampedBy: ['ramp'],
        result: 'ok',
        error: null,
        userName: 'otto',
      },
    ]);
  });

  it('splits grid signals into active and the rest', () => {
    const g = parseSignals(
      [
        { id: 'a', kind: 'section14a-dimming', fromMs: 0, toMs: 100, maxControllablePowerW: 4200, source: 'api', receivedAtMs: 0 },
        {
          id: 'b',
          kind: 'redispatch-curtailment',
          fromMs: 0,
          toMs: 100,
          maxPvPowerW: 1000,
          cancelledAtMs: 20,
          source: 'api',
          receivedAtMs: 0,
        },
        { id: 'c', kind: 'redispatch-activation', fromMs: 60, toMs: 100, targetGridW: -5000, source: 'api', receivedAtMs: 0 },
        { nope: 1 },
      ],
      50,
    );
    expect(g.active.map((x) => x.id)).toEqual(['a']);
    expect(g.active[0]?.limits).toEqual([{ field: 'maxControllablePowerW', w: 4200 }]);
    expect(g.other.map((x) => x.id)).toEqual(['b', 'c']);
  });
});
