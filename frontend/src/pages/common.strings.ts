/** Strings every page uses (German and English). */
import type { Lang } from '../i18n';

const en = {
  loading: 'Loading…',
  refresh: 'Refresh',
  notAvailable: (what: string) =>
    `${what} is not available on this service yet (the service answered that it has no such interface). Nothing is shown rather than made-up figures.`,
  stale: (message: string) => `Could not refresh (${message}); showing the last values.`,
  viewOnly: (need: string) => `View only: this needs the ${need} role.`,
  saved: 'Saved.',
  cancel: 'Cancel',
  sending: 'Sending…',
  none: '–',
  estimate: 'estimate',
  close: 'Close',
  pageNames: {
    overview: 'Overview',
    explorer: 'Explorer',
    forecast: 'Forecast & plan',
    devices: 'Devices',
    alerts: 'Alerts',
    imports: 'Imports',
    knowledge: 'Knowledge',
    admin: 'Administration',
  },
  sitePagesLabel: (site: string) => `Pages of ${site}`,
  globalPagesLabel: 'Installation',
  backToSites: 'All sites',
};
export type CommonStrings = typeof en;

const de: CommonStrings = {
  loading: 'Wird geladen …',
  refresh: 'Aktualisieren',
  notAvailable: (what) =>
    `${what} ist in diesem Dienst noch nicht verfügbar (der Dienst hat keine solche Schnittstelle). Statt erfundener Zahlen wird nichts angezeigt.`,
  stale: (message) => `Aktualisierung fehlgeschlagen (${message}); die letzten Werte werden angezeigt.`,
  viewOnly: (need) => `Nur ansehen: Dafür ist die Rolle ${need} nötig.`,
  saved: 'Gespeichert.',
  cancel: 'Abbrechen',
  sending: 'Wird gesendet …',
  none: '–',
  estimate: 'Schätzung',
  close: 'Schließen',
  pageNames: {
    overview: 'Übersicht',
    explorer: 'Zeitreihen',
    forecast: 'Prognose & Plan',
    devices: 'Geräte',
    alerts: 'Warnungen',
    imports: 'Importe',
    knowledge: 'Wissen',
    admin: 'Verwaltung',
  },
  sitePagesLabel: (site) => `Seiten von ${site}`,
  globalPagesLabel: 'Installation',
  backToSites: 'Alle Standorte',
};

export const COMMON: Record<Lang, CommonStrings> = { en, de };
