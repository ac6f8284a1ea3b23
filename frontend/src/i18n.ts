export type Lang = 'de' | 'en';

export const LANGS: readonly Lang[] = ['en', 'de'];

/**
 * Choose the UI language from the browser's preferred languages
 * (navigator.languages, most preferred first). German if the first
 * supported entry is German, otherwise English (also the default).
 */
export function pickLanguage(navigatorLanguages: readonly string[]): Lang {
  for (const tag of navigatorLanguages) {
    const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
    if (primary === 'de') return 'de';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

export function isLang(value: unknown): value is Lang {
  return value === 'de' || value === 'en';
}

export interface Strings {
  tagline: string;
  shellNotice: string;
  switchLanguage: string;
  otherLanguageName: string;
  statusHeading: string;
  overallReady: string;
  overallNotReady: string;
  checking: string;
  unreachable: (reason: string) => string;
  unexpectedResponse: string;
  timeout: string;
  colName: string;
  colAdapter: string;
  colWhere: string;
  colState: string;
  colDetail: string;
  stateUp: string;
  stateDown: string;
  stateDisabled: string;
  noChecks: string;
  extensionsHeading: string;
  extOn: string;
  extOff: string;
  version: string;
  uptime: string;
  lastChecked: string;
  refreshHint: string;
  linksHeading: string;
  linkDocs: string;
  linkMetrics: string;
  footer: string;
}

export const STRINGS: Record<Lang, Strings> = {
  en: {
    tagline: 'Open, local-first energy management system',
    shellNotice:
      'This is the dashboard shell. Live power flows, plans, alerts and the knowledge base will arrive in later releases. For now it shows the real system status of this installation.',
    switchLanguage: 'Switch language to German',
    otherLanguageName: 'Deutsch',
    statusHeading: 'System status',
    overallReady: 'Ready',
    overallNotReady: 'Not ready',
    checking: 'Checking…',
    unreachable: (reason) => `Service not reachable: ${reason}`,
    unexpectedResponse: 'unexpected response',
    timeout: 'request timed out',
    colName: 'Name',
    colAdapter: 'Adapter',
    colWhere: 'Where',
    colState: 'State',
    colDetail: 'Detail',
    stateUp: 'up',
    stateDown: 'down',
    stateDisabled: 'disabled',
    noChecks: 'No checks reported.',
    extensionsHeading: 'Database extensions',
    extOn: 'available',
    extOff: 'not available',
    version: 'Version',
    uptime: 'Uptime',
    lastChecked: 'Last checked',
    refreshHint: 'Refreshes every 5 seconds.',
    linksHeading: 'More',
    linkDocs: 'API reference',
    linkMetrics: 'Metrics (Prometheus)',
    footer: 'Luna-IEMS runs entirely on your own hardware.',
  },
  de: {
    tagline: 'Offenes, lokal betriebenes Energiemanagementsystem',
    shellNotice:
      'Dies ist das Grundgerüst des Dashboards. Live-Energieflüsse, Pläne, Warnungen und die Wissensdatenbank folgen in späteren Versionen. Derzeit zeigt es den echten Systemstatus dieser Installation.',
    switchLanguage: 'Sprache auf Englisch umstellen',
    otherLanguageName: 'English',
    statusHeading: 'Systemstatus',
    overallReady: 'Bereit',
    overallNotReady: 'Nicht bereit',
    checking: 'Wird geprüft …',
    unreachable: (reason) => `Dienst nicht erreichbar: ${reason}`,
    unexpectedResponse: 'unerwartete Antwort',
    timeout: 'Zeitüberschreitung der Anfrage',
    colName: 'Name',
    colAdapter: 'Adapter',
    colWhere: 'Ort',
    colState: 'Zustand',
    colDetail: 'Details',
    stateUp: 'aktiv',
    stateDown: 'ausgefallen',
    stateDisabled: 'deaktiviert',
    noChecks: 'Keine Prüfungen gemeldet.',
    extensionsHeading: 'Datenbank-Erweiterungen',
    extOn: 'verfügbar',
    extOff: 'nicht verfügbar',
    version: 'Version',
    uptime: 'Laufzeit',
    lastChecked: 'Zuletzt geprüft',
    refreshHint: 'Aktualisiert sich alle 5 Sekunden.',
    linksHeading: 'Weiteres',
    linkDocs: 'API-Referenz',
    linkMetrics: 'Metriken (Prometheus)',
    footer: 'Luna-IEMS läuft vollständig auf Ihrer eigenen Hardware.',
  },
};

/** Human-readable duration, e.g. 3725 → "1 h 2 min". */
export function formatUptime(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}
