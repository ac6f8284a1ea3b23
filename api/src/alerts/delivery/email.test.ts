/**
 * Alert e-mails against a real, independent SMTP server: aiosmtpd (PyPI, in the scripts/services
 * python venv) started as a peer that stores every received mail in a Maildir. Skipped without it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services, tempDir } from '../../test/services.js';
import { call, startTestApp, type TestApp } from '../../test/app.js';
import { listAlerts, listDeliveries } from '../store.js';

const PASSWORD = 'Alarm-Post-2026!';
const hasAiosmtpd =
  services.python !== undefined && spawnSync(services.python, ['-c', 'import aiosmtpd'], { stdio: 'ignore' }).status === 0;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`aiosmtpd did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** aiosmtpd with its Mailbox handler: every accepted message lands in <dir>/new as one file. */
function startSmtpPeer(port: number, maildir: string): ChildProcess {
  return spawn(services.python!, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir], {
    stdio: 'ignore',
  });
}

function mails(maildir: string): string[] {
  const dir = join(maildir, 'new');
  return existsSync(dir) ? readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')) : [];
}

describe.skipIf(!hasAiosmtpd)('alert e-mail over SMTP to a real server (aiosmtpd)', () => {
  let t: TestApp;
  let admin = '';
  let port = 0;
  let peer: ChildProcess | undefined;
  const box = tempDir('luna-maildir-');
  const maildir = join(box.dir, 'Maildir');
  const stopPeer = async () => {
    if (!peer || peer.exitCode !== null) return;
    const p = peer;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  };

  beforeAll(async () => {
    port = await freePort();
    t = await startTestApp({
      LUNA_ADMIN_PASSWORD: PASSWORD,
      LUNA_ANOMALY_SCAN: 'off',
      LUNA_FORECASTS: 'off',
      LUNA_SMTP_URL: `smtp://127.0.0.1:${port}`,
      LUNA_ALERT_EMAIL_FROM: 'luna@werk.example',
      LUNA_ALERT_EMAIL_TO: 'leitstand@werk.example, energie@werk.example',
    });
    t.app.alerts.service.stopTriggers();
    admin = (await call(t.base, 'POST', '/auth/login', { body: { username: 'admin', password: PASSWORD } })).body.accessToken;
    await call(t.base, 'POST', '/sites', { token: admin, body: { id: 'werk', name: 'Werk' } });
    const series = await call(t.base, 'POST', '/sites/werk/series', {
      token: admin,
      body: { key: 'battery/soc', quantity: 'state_of_charge', semantics: 'instantaneous' },
    });
    expect(series.status, JSON.stringify(series.body)).toBe(201);
    await call(t.base, 'PUT', '/sites/werk/alert-rules', {
      token: admin,
      body: {
        rules: [
          {
            id: 'soc-low',
            kind: 'threshold',
            name: 'Battery SoC low',
            severity: 'critical',
            seriesKey: 'battery/soc',
            op: '<',
            value: 10,
            channels: ['email'],
          },
        ],
      },
    });
    const r = await call(t.base, 'POST', '/ingest/readings', {
      token: admin,
      body: { siteId: 'werk', readings: [{ series: series.body.id, ts: new Date(Date.now() - 2_000).toISOString(), value: 7.5 }] },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });
  afterAll(async () => {
    await stopPeer();
    await t?.close();
    box.remove();
  });

  it('a delivery while the SMTP server is down is kept and retried; once it is up the mail arrives with the alert', async () => {
    const { fired } = await t.app.alerts.service.evaluateSite('werk');
    expect(fired.map((a) => a.ruleId)).toEqual(['soc-low']);
    const alert = fired[0]!;

    await t.app.alerts.service.processDeliveries(); // nobody listens on the port yet
    let [d] = await listDeliveries(t.app.db, [alert.id]);
    expect(d).toMatchObject({ channel: 'email', status: 'pending', attempts: 1 });
    expect(d!.lastError).toMatch(/ECONNREFUSED|connect/i);

    peer = startSmtpPeer(port, maildir);
    await waitForPort(port);
    // jump the backoff: due a second ago (PostgreSQL's now() has µs, the service's clock ms)
    await t.app.db.query("update alert_deliveries set next_attempt_at = now() - interval '1 second' where id = $1", [d!.id]);
    await t.app.alerts.service.processDeliveries();
    [d] = await listDeliveries(t.app.db, [alert.id]);
    expect(d).toMatchObject({ status: 'delivered', attempts: 2 });

    const received = mails(maildir);
    expect(received).toHaveLength(1);
    const mail = received[0]!;
    expect(mail).toMatch(/^From: luna@werk\.example/m);
    expect(mail).toMatch(/^To: leitstand@werk\.example, energie@werk\.example/m);
    // the subject is MIME-encoded (UTF-8): decode it with Python's own e-mail parser, independent of nodemailer
    const subject = spawnSync(
      services.python!,
      [
        '-c',
        'import email,sys;from email.header import decode_header,make_header;m=email.message_from_string(sys.stdin.read());print(str(make_header(decode_header(m["Subject"]))))',
      ],
      { input: mail, encoding: 'utf8' },
    ).stdout.trim();
    expect(subject).toBe('[Luna-IEMS CRITICAL] werk: firing — Battery SoC low: battery/soc = 7.50 < 10');
    expect(mail).toMatch(new RegExp(`^X-Luna-Alert-Id: ${alert.id}$`, 'mi'));
    expect(mail).toContain('battery/soc = 7.50 < 10');
    expect((await listAlerts(t.app.db, { siteId: 'werk' }))[0]).toMatchObject({ id: alert.id, state: 'firing', notifyCount: 1 });
  });
});
