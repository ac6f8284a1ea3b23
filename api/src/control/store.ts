/**
 * Command storage (adapter): table control_commands (migration 20261127080000_control.sql). One row
 * per command the agents sent (or tried to); the newest row per asset is what an agent resumes
 * from after a restart.
 */
import type { CommandRecord, CommandSource } from './model.js';
import type { Queryable } from '../store/index.js';

interface Row {
  id: number | string;
  site_id: string;
  asset_id: string;
  device_id: string;
  setpoint: string;
  at: Date | string;
  source: CommandSource;
  requested_w: number;
  written_w: number;
  clamped_by: unknown;
  revert_timeout_s: number;
  result: CommandRecord['result'];
  error: string | null;
  user_id: string | null;
  user_name: string | null;
}

export interface StoredCommand extends CommandRecord {
  id: number;
}

const COLUMNS =
  'id, site_id, asset_id, device_id, setpoint, at, source, requested_w, written_w, clamped_by, revert_timeout_s, result, error, user_id, user_name';

function toRecord(r: Row): StoredCommand {
  const clamped = typeof r.clamped_by === 'string' ? (JSON.parse(r.clamped_by) as string[]) : ((r.clamped_by as string[] | null) ?? []);
  return {
    id: Number(r.id),
    siteId: r.site_id,
    assetId: r.asset_id,
    deviceId: r.device_id,
    setpoint: r.setpoint,
    atMs: new Date(r.at).getTime(),
    source: r.source,
    requestedW: r.requested_w,
    writtenW: r.written_w,
    clampedBy: clamped,
    revertTimeoutS: r.revert_timeout_s,
    result: r.result,
    ...(r.error !== null ? { error: r.error } : {}),
    ...(r.user_id !== null ? { userId: r.user_id } : {}),
    ...(r.user_name !== null ? { userName: r.user_name } : {}),
  };
}

export interface CommandPage {
  commands: StoredCommand[];
  /** pass as `beforeId` for the next (older) page; null when this was the last */
  nextBeforeId: number | null;
}

export class CommandStore {
  constructor(private readonly db: Queryable) {}

  /** Inserts commands in one statement. */
  async insert(cs: readonly CommandRecord[]): Promise<void> {
    if (!cs.length) return;
    const params: unknown[] = [];
    const values = cs.map((c) => {
      const base = params.length;
      params.push(
        c.siteId,
        c.assetId,
        c.deviceId,
        c.setpoint,
        new Date(c.atMs).toISOString(),
        c.source,
        c.requestedW,
        c.writtenW,
        JSON.stringify(c.clampedBy),
        c.revertTimeoutS,
        c.result,
        c.error ?? null,
        c.userId ?? null,
        c.userName ?? null,
      );
      return `(${Array.from({ length: 14 }, (_, k) => `$${base + k + 1}`).join(', ')})`;
    });
    await this.db.query(
      `insert into control_commands (site_id, asset_id, device_id, setpoint, at, source, requested_w, written_w, clamped_by, revert_timeout_s, result, error, user_id, user_name)
       values ${values.join(', ')}`,
      params,
    );
  }

  /** Newest first, paged by id; optional time range, asset and source filters. */
  async list(
    siteId: string,
    q: { limit: number; beforeId?: number; fromMs?: number; toMs?: number; assetId?: string; source?: string },
  ): Promise<CommandPage> {
    const where = ['site_id = $1'];
    const params: unknown[] = [siteId];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.beforeId !== undefined) add('id < ?', q.beforeId);
    if (q.fromMs !== undefined) add('at >= ?', new Date(q.fromMs).toISOString());
    if (q.toMs !== undefined) add('at < ?', new Date(q.toMs).toISOString());
    if (q.assetId !== undefined) add('asset_id = ?', q.assetId);
    if (q.source !== undefined) add('source = ?', q.source);
    params.push(q.limit + 1);
    const { rows } = await this.db.query<Row>(
      `select ${COLUMNS} from control_commands where ${where.join(' and ')} order by id desc limit $${params.length}`,
      params,
    );
    const page = rows.slice(0, q.limit).map(toRecord);
    return { commands: page, nextBeforeId: rows.length > q.limit ? page[page.length - 1]!.id : null };
  }

  /** The newest successful command per asset of a site (what the agents resume from). */
  async lastWritten(siteId: string): Promise<Map<string, StoredCommand>> {
    const { rows } = await this.db.query<Row>(
      `select distinct on (asset_id) ${COLUMNS} from control_commands where site_id = $1 and result = 'ok' order by asset_id, at desc, id desc`,
      [siteId],
    );
    return new Map(rows.map((r) => [r.asset_id, toRecord(r)]));
  }

  /** Deletes commands older than the cut-off; returns how many. */
  async prune(beforeMs: number): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>('delete from control_commands where at < $1 returning id', [
      new Date(beforeMs).toISOString(),
    ]);
    return rows.length;
  }
}
