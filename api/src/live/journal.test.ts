import { describe, expect, it } from 'vitest';
import { SiteJournal } from './journal.js';
import { parseClientMessage } from './protocol.js';

const wire = (topic: string) => (c: number) => `${topic}#${c}`;

describe('SiteJournal', () => {
  it('hands out consecutive cursors from 1 and replays everything after a cursor', () => {
    const j = new SiteJournal({ maxEntries: 10, maxAgeMs: 60_000 });
    for (let i = 0; i < 5; i++) j.append(i % 2 ? 'plan' : 'readings', 1000 + i, wire('m'));
    expect(j.head).toBe(5);
    expect(j.oldest).toBe(1);
    const c = j.since(2, 2000);
    expect(c.gap).toBeUndefined();
    expect(c.entries.map((e) => e.cursor)).toEqual([3, 4, 5]);
    expect(c.entries.map((e) => e.wire)).toEqual(['m#3', 'm#4', 'm#5']);
    expect(j.since(5, 2000).entries).toEqual([]);
  });

  it('filters by topic without losing the cursor order', () => {
    const j = new SiteJournal({ maxEntries: 10, maxAgeMs: 60_000 });
    for (const t of ['readings', 'plan', 'readings', 'device', 'plan']) j.append(t, 0, wire(t));
    expect(j.since(0, 0, (t) => t === 'plan').entries.map((e) => e.cursor)).toEqual([2, 5]);
  });

  it('keeps the last maxEntries and names the range that fell out as a gap', () => {
    const j = new SiteJournal({ maxEntries: 4, maxAgeMs: 60_000 });
    for (let i = 0; i < 10; i++) j.append('plan', 0, wire('p'));
    expect(j.length).toBe(4);
    expect(j.oldest).toBe(7);
    const c = j.since(3, 0);
    expect(c.gap).toEqual({ from: 4, to: 6 });
    expect(c.entries.map((e) => e.cursor)).toEqual([7, 8, 9, 10]);
    // exactly at the edge: nothing missing
    expect(j.since(6, 0).gap).toBeUndefined();
    expect(j.at(6)).toBeUndefined();
    expect(j.at(10)?.wire).toBe('p#10');
  });

  it('drops messages older than maxAgeMs, and the cursor keeps counting', () => {
    const j = new SiteJournal({ maxEntries: 100, maxAgeMs: 1000 });
    j.append('plan', 0, wire('p'));
    j.append('plan', 500, wire('p'));
    j.append('plan', 1400, wire('p')); // the first (age 1400) expires now
    expect(j.oldest).toBe(2);
    const c = j.since(0, 2000); // the second (age 1500) too
    expect(c.gap).toEqual({ from: 1, to: 2 });
    expect(c.entries.map((e) => e.cursor)).toEqual([3]);
    expect(j.append('plan', 2000, wire('p')).cursor).toBe(4);
  });

  it('wraps the ring many times without losing order', () => {
    const j = new SiteJournal({ maxEntries: 7, maxAgeMs: 1e9 });
    for (let i = 0; i < 100; i++) j.append('plan', i, wire('p'));
    expect(j.since(95, 100).entries.map((e) => e.cursor)).toEqual([96, 97, 98, 99, 100]);
    expect(j.since(0, 100).gap).toEqual({ from: 1, to: 93 });
  });
});

describe('parseClientMessage', () => {
  it.each([
    [
      '{"subscribe":["readings","plan"],"cursor":7,"epoch":"abc"}',
      { kind: 'subscribe', topics: ['readings', 'plan'], cursor: 7, epoch: 'abc', unknown: [] },
    ],
    ['{"subscribe":["*"]}', { kind: 'subscribe', unknown: [] }],
    ['{"subscribe":["plan","pv-magic"]}', { kind: 'subscribe', topics: ['plan'], unknown: ['pv-magic'] }],
    ['{"ping":3}', { kind: 'ping', id: 3 }],
  ])('accepts %s', (text, want) => {
    const r = parseClientMessage(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.message).toMatchObject(want);
  });

  it('subscribes to every topic with "*"', () => {
    const r = parseClientMessage('{"subscribe":["*"]}');
    expect(r.ok && r.message.kind === 'subscribe' && r.message.topics.length).toBe(9);
  });

  it.each([
    ['not json', 'bad_json'],
    ['[1]', 'bad_message'],
    ['{"hello":1}', 'bad_message'],
    ['{"subscribe":"readings"}', 'bad_subscribe'],
    ['{"subscribe":["plan"],"cursor":-1}', 'bad_cursor'],
    ['{"subscribe":["plan"],"cursor":1.5}', 'bad_cursor'],
    ['{"subscribe":["plan"],"epoch":5}', 'bad_epoch'],
  ])('refuses %s with %s', (text, code) => {
    const r = parseClientMessage(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.message.length).toBeGreaterThan(10);
    }
  });
});
