import { describe, expect, it } from 'vitest';
import { parseConfig, type ConfigError } from '../config/schema.js';

const issuesOf = (raw: Record<string, string>) => {
  try {
    parseConfig({ LUNA_DATA_DIR: '/tmp/x', ...raw });
    return [];
  } catch (err) {
    return (err as ConfigError).issues.map((i) => `${i.variable} ${i.message}`);
  }
};

describe('alert and telemetry settings', () => {
  it('defaults: evaluation every 30 s, no webhook, no e-mail, no traces', () => {
    const c = parseConfig({ LUNA_DATA_DIR: '/tmp/x' });
    expect(c.alerts).toEqual({ intervalMs: 30_000 });
    expect(c.telemetry).toEqual({});
  });
  it('webhook, SMTP and OTLP settings are read and split', () => {
    const c = parseConfig({
      LUNA_DATA_DIR: '/tmp/x',
      LUNA_ALERT_INTERVAL_S: '10',
      LUNA_ALERT_WEBHOOK_URL: 'https://hooks.werk.example/luna',
      LUNA_ALERT_WEBHOOK_SECRET: 's3cr3t',
      LUNA_SMTP_URL: 'smtp://luna:pw@mail.werk.example:587',
      LUNA_ALERT_EMAIL_TO: 'a@werk.example, b@werk.example',
      LUNA_OTLP_URL: 'http://collector:4318',
    });
    expect(c.alerts).toEqual({
      intervalMs: 10_000,
      webhook: { url: 'https://hooks.werk.example/luna', secret: 's3cr3t' },
      email: { smtpUrl: 'smtp://luna:pw@mail.werk.example:587', from: 'luna-iems@localhost', to: ['a@werk.example', 'b@werk.example'] },
    });
    expect(c.telemetry).toEqual({ otlpUrl: 'http://collector:4318' });
  });
  it('bad values name their variable', () => {
    const issues = issuesOf({
      LUNA_SMTP_URL: 'http://mail',
      LUNA_ALERT_WEBHOOK_URL: 'ftp://x',
      LUNA_OTLP_URL: 'collector:4318',
      LUNA_ALERT_INTERVAL_S: '0',
      LUNA_ALERT_EMAIL_FROM: 'luna',
    });
    expect(issues.map((i) => i.split(' ')[0]).sort()).toEqual([
      'LUNA_ALERT_EMAIL_FROM',
      'LUNA_ALERT_EMAIL_TO',
      'LUNA_ALERT_INTERVAL_S',
      'LUNA_ALERT_WEBHOOK_URL',
      'LUNA_OTLP_URL',
      'LUNA_SMTP_URL',
    ]);
    expect(issues).toContain('LUNA_ALERT_EMAIL_TO is required when LUNA_SMTP_URL is set');
  });
});
