/**
 * E-mail delivery over SMTP (nodemailer): LUNA_SMTP_URL (smtp://user:pass@host:587, smtps://… for
 * implicit TLS), LUNA_ALERT_EMAIL_FROM, LUNA_ALERT_EMAIL_TO (comma-separated).
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { AlertRecord } from '../store.js';

export interface EmailTarget {
  smtpUrl: string;
  from: string;
  to: readonly string[];
}

export interface EmailSender {
  send(payload: AlertPayload): Promise<void>;
  close(): void;
}

export interface AlertPayload {
  type: 'luna.alert';
  reason: 'firing' | 'renotify' | 'acknowledged' | 'resolved';
  siteId: string;
  alert: AlertRecord;
}

/** Subject and plain-text body of an alert mail (German operators read English alert texts today; see docs/alerts.md). */
export function renderEmail(p: AlertPayload): { subject: string; text: string } {
  const a = p.alert;
  const subject = `[Luna-IEMS ${a.severity.toUpperCase()}] ${p.siteId}: ${p.reason} — ${a.message.slice(0, 120)}`;
  const text = [
    `Site: ${p.siteId}`,
    `Alert: ${a.id} (rule ${a.ruleId}, ${a.ruleKind})`,
    `State: ${a.state} (${p.reason})`,
    `Severity: ${a.severity}`,
    `Subject: ${a.subject}`,
    `Fired at: ${a.firedAt}`,
    ...(a.value !== null ? [`Value: ${a.value}`] : []),
    ...(a.acknowledgedBy ? [`Acknowledged by ${a.acknowledgedBy} at ${a.acknowledgedAt}`] : []),
    ...(a.resolvedAt ? [`Resolved at: ${a.resolvedAt}`] : []),
    '',
    a.message,
  ].join('\n');
  return { subject, text };
}

export function emailSender(target: EmailTarget): EmailSender {
  const transport: Transporter = nodemailer.createTransport(target.smtpUrl);
  return {
    async send(p) {
      const { subject, text } = renderEmail(p);
      await transport.sendMail({
        from: target.from,
        to: [...target.to],
        subject,
        text,
        headers: { 'X-Luna-Alert-Id': p.alert.id, 'X-Luna-Site': p.siteId },
      });
    },
    close() {
      transport.close();
    },
  };
}
