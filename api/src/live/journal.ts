/**
 * The per-site journal of the live API — pure (the clock is passed in): every message a site
 * publishes gets the next cursor of that site (1, 2, 3, …) and is kept in a bounded ring, the
 * last `maxEntries` messages and at most `maxAgeMs` old. A client that reconnects with the last
 * cursor it saw gets everything after it from here; when the messages it needs have already left
 * the ring the journal says which range is missing (a gap), never silently less.
 */

export interface JournalEntry {
  cursor: number;
  /** short topic name: readings, plan, command, … (see LIVE_TOPICS) */
  topic: string;
  atMs: number;
  /** the message as sent on the wire, serialised once for every client */
  wire: string;
}

export interface JournalLimits {
  /** keep at most this many messages per site (default 10 000) */
  maxEntries: number;
  /** keep messages at most this long (default 15 min) */
  maxAgeMs: number;
}

export const DEFAULT_JOURNAL_LIMITS: JournalLimits = { maxEntries: 10_000, maxAgeMs: 15 * 60_000 };

/** What a client resuming after `cursor` gets: the entries it missed, and the range that is no longer kept. */
export interface Catchup {
  gap?: { from: number; to: number };
  entries: JournalEntry[];
}

/** One site's ring of messages with consecutive cursors. */
export class SiteJournal {
  private readonly ring: (JournalEntry | undefined)[];
  private start = 0; // ring index of the oldest entry
  private size = 0;
  /** the newest cursor handed out (0: nothing yet) */
  head = 0;

  constructor(private readonly limits: JournalLimits) {
    if (!(limits.maxEntries >= 1)) throw new Error('journal: maxEntries must be ≥ 1');
    this.ring = new Array<JournalEntry | undefined>(limits.maxEntries);
  }

  /** The oldest cursor still kept (head + 1 when the journal is empty). */
  get oldest(): number {
    return this.head - this.size + 1;
  }

  get length(): number {
    return this.size;
  }

  /** Appends a message; `wire` builds the serialised message from its cursor. */
  append(topic: string, atMs: number, wire: (cursor: number) => string): JournalEntry {
    this.expire(atMs);
    const cursor = ++this.head;
    const entry: JournalEntry = { cursor, topic, atMs, wire: wire(cursor) };
    const cap = this.ring.length;
    if (this.size === cap) {
      this.ring[this.start] = entry;
      this.start = (this.start + 1) % cap;
    } else {
      this.ring[(this.start + this.size) % cap] = entry;
      this.size++;
    }
    return entry;
  }

  /** Drops entries older than maxAgeMs at `nowMs`. */
  expire(nowMs: number): void {
    const cap = this.ring.length;
    while (this.size > 0) {
      const e = this.ring[this.start]!;
      if (nowMs - e.atMs <= this.limits.maxAgeMs) break;
      this.ring[this.start] = undefined;
      this.start = (this.start + 1) % cap;
      this.size--;
    }
  }

  /** The entry with this cursor, if it is still kept. */
  at(cursor: number): JournalEntry | undefined {
    const i = cursor - this.oldest;
    if (i < 0 || i >= this.size) return undefined;
    return this.ring[(this.start + i) % this.ring.length];
  }

  /**
   * Everything after `cursor` (topics filtered by `wants`), oldest first. When messages after
   * `cursor` have left the journal, `gap` names them (from..to inclusive); a cursor beyond the
   * head (a client of an earlier run of the service) is the caller's business (see LiveHub).
   */
  since(cursor: number, nowMs: number, wants: (topic: string) => boolean = () => true): Catchup {
    this.expire(nowMs);
    const first = Math.max(cursor + 1, this.oldest);
    const gap = cursor + 1 < this.oldest ? { from: cursor + 1, to: this.oldest - 1 } : undefined;
    const entries: JournalEntry[] = [];
    for (let c = first; c <= this.head; c++) {
      const e = this.at(c)!;
      if (wants(e.topic)) entries.push(e);
    }
    return gap ? { gap, entries } : { entries };
  }
}

/** Journals of all sites, created on first use. */
export class Journal {
  private readonly sites = new Map<string, SiteJournal>();
  constructor(readonly limits: JournalLimits = DEFAULT_JOURNAL_LIMITS) {}

  site(siteId: string): SiteJournal {
    let j = this.sites.get(siteId);
    if (!j) {
      j = new SiteJournal(this.limits);
      this.sites.set(siteId, j);
    }
    return j;
  }

  /** Without creating it. */
  peek(siteId: string): SiteJournal | undefined {
    return this.sites.get(siteId);
  }
}
