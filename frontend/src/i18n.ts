import type { Role } from './access';
import type { Resolution, SpanId } from './series/model';

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
  switchLanguage: string;
  skipToContent: string;
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
  roleNames: Record<Role, string>;
  roleOnAllSites: (role: string) => string;
  roleOnSite: (role: string, siteId: string) => string;
  noRoles: string;
  checkingSession: string;
  retry: string;
  setupHeading: string;
  setupIntro: string;
  setupToken: string;
  setupTokenHint: string;
  setupTokenFromLink: string;
  username: string;
  usernameHint: string;
  password: string;
  passwordHint: string;
  passwordRepeat: string;
  setupSubmit: string;
  setupBusy: string;
  setupDoneSignIn: string;
  setupAlreadyDone: string;
  errTokenMissing: string;
  errUsernameMissing: string;
  errPasswordsDiffer: string;
  errPasswordShort: (min: number) => string;
  errPasswordHasName: string;
  signInHeading: string;
  signInSubmit: string;
  signInBusy: string;
  signedInAs: string;
  signOut: string;
  signedOut: string;
  sessionEnded: string;
  errNetwork: (reason: string) => string;
  errWrongCredentials: string;
  errLocked: (seconds: number) => string;
  errRateLimited: (detail: string) => string;
  errSetupToken: string;
  errAlreadySetUp: string;
  sitesHeading: string;
  sitesLoading: string;
  sitesNone: string;
  sitesRefresh: string;
  siteId: string;
  siteTimeZone: string;
  siteAutomation: string;
  siteYourRole: string;
  automationOn: string;
  automationOff: string;
  readOnlyHint: string;
  startAutomation: string;
  stopAutomation: string;
  confirmStart: (site: string) => string;
  confirmStop: (site: string) => string;
  confirmHint: string;
  reasonLabel: string;
  cancel: string;
  sending: string;
  automationStarted: (site: string) => string;
  automationStopped: (site: string) => string;
  openSeries: string;
  openOverview: string;
  seriesHeading: (site: string) => string;
  backToSites: string;
  seriesLoading: string;
  seriesNone: string;
  colShow: string;
  colSeries: string;
  colQuantity: string;
  colLatest: string;
  colAge: string;
  ago: (age: string) => string;
  noReading: string;
  seriesSelectHint: (max: number, units: number) => string;
  seriesBlockedMax: (max: number) => string;
  seriesBlockedUnits: (units: number) => string;
  spanLabel: string;
  spanNames: Record<SpanId, string>;
  resolutionLabel: string;
  resolutionAuto: string;
  resolutionNames: Record<Resolution, string>;
  resolutionShown: (name: string) => string;
  chartLoading: string;
  chartEmpty: string;
  chartPick: string;
  timesIn: (zone: string) => string;
  chartLabel: (names: string) => string;
  chartReadoutHint: string;
  csvExport: string;
  csvExportHint: string;
  chartReload: string;
  comparePrevious: (span: string) => string;
  previousPeriodName: (name: string, span: string) => string;
  compareMeans: (name: string, now: string, before: string) => string;
  qualityNames: Record<string, string>;
}

export const STRINGS: Record<Lang, Strings> = {
  en: {
    tagline: 'Open, local-first energy management system',
    switchLanguage: 'Switch language to German',
    skipToContent: 'Skip to content',
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
    roleNames: { viewer: 'viewer', operator: 'operator', engineer: 'engineer', admin: 'admin' },
    roleOnAllSites: (role) => `${role} on all sites`,
    roleOnSite: (role, siteId) => `${role} on ${siteId}`,
    noRoles: 'no roles yet',
    checkingSession: 'Checking sign-in…',
    retry: 'Try again',
    setupHeading: 'Create the first administrator',
    setupIntro:
      'No user exists yet. The service printed a one-time setup link in its log at first start; opening that link fills in the token. Choose the administrator’s user name and password.',
    setupToken: 'Setup token',
    setupTokenHint: 'From the service log: the part after ?setup= in the printed link.',
    setupTokenFromLink: 'Filled in from the link you opened.',
    username: 'User name',
    usernameHint: '2–64 characters: letters, digits, . _ @ -',
    password: 'Password',
    passwordHint: 'At least 12 characters; must not contain the user name.',
    passwordRepeat: 'Repeat password',
    setupSubmit: 'Create administrator and sign in',
    setupBusy: 'Creating administrator…',
    setupDoneSignIn: 'The administrator was created. Please sign in.',
    setupAlreadyDone: 'Setup is already done: an administrator exists. Please sign in.',
    errTokenMissing: 'Enter the setup token from the service log.',
    errUsernameMissing: 'Enter a user name (at least 2 characters).',
    errPasswordsDiffer: 'The two passwords differ.',
    errPasswordShort: (min) => `The password needs at least ${min} characters.`,
    errPasswordHasName: 'The password must not contain the user name.',
    signInHeading: 'Sign in',
    signInSubmit: 'Sign in',
    signInBusy: 'Signing in…',
    signedInAs: 'Signed in as',
    signOut: 'Sign out',
    signedOut: 'You are signed out.',
    sessionEnded: 'Your session has ended. Please sign in again.',
    errNetwork: (reason) => `The service is not reachable${reason ? ` (${reason})` : ''}. Check the connection and try again.`,
    errWrongCredentials: 'Wrong user name or password.',
    errLocked: (seconds) => `Too many failed sign-ins. This account is locked; try again in ${seconds} s.`,
    errRateLimited: (detail) => `Too many attempts in a short time. Wait a minute and try again. (${detail})`,
    errSetupToken: 'The setup token is wrong or already used. Take the one printed in the service log at the latest start.',
    errAlreadySetUp: 'Setup is already done: an administrator exists. Please sign in.',
    sitesHeading: 'Sites',
    sitesLoading: 'Loading sites…',
    sitesNone: 'No site is visible to you yet. An administrator can create sites and grant you a role on them.',
    sitesRefresh: 'Refresh',
    siteId: 'Id',
    siteTimeZone: 'Time zone',
    siteAutomation: 'Automation',
    siteYourRole: 'Your role',
    automationOn: 'on',
    automationOff: 'off',
    readOnlyHint: 'View only: starting or stopping automation needs the operator role.',
    startAutomation: 'Start automation',
    stopAutomation: 'Stop automation',
    confirmStart: (site) => `Start automatic control of ${site}?`,
    confirmStop: (site) => `Stop automatic control of ${site}?`,
    confirmHint: 'This is recorded in the audit log with your name and the reason.',
    reasonLabel: 'Reason (optional)',
    cancel: 'Cancel',
    sending: 'Sending…',
    automationStarted: (site) => `Automation started for ${site}.`,
    automationStopped: (site) => `Automation stopped for ${site}.`,
    openSeries: 'Open series',
    openOverview: 'Open overview',
    seriesHeading: (site) => `Series — ${site}`,
    backToSites: 'Back to sites',
    seriesLoading: 'Loading series…',
    seriesNone: 'This site has no series yet.',
    colShow: 'Chart',
    colSeries: 'Series',
    colQuantity: 'Quantity',
    colLatest: 'Latest value',
    colAge: 'Age',
    ago: (age) => `${age} ago`,
    noReading: 'no reading yet',
    seriesSelectHint: (max, units) =>
      `Tick up to ${max} series (with at most ${units} different units) to draw them. The list refreshes every 5 seconds.`,
    seriesBlockedMax: (max) => `At most ${max} series at a time.`,
    seriesBlockedUnits: (units) => `At most ${units} different units at a time.`,
    spanLabel: 'Span',
    spanNames: { '24h': '24 h', '7d': '7 d', '30d': '30 d', '1y': '1 year' },
    resolutionLabel: 'Resolution',
    resolutionAuto: 'automatic',
    resolutionNames: { raw: 'raw readings', '15m': '15 minutes', '1h': '1 hour', '1d': '1 day' },
    resolutionShown: (name) => `Shown: ${name}`,
    chartLoading: 'Loading readings…',
    chartEmpty: 'No readings in this span.',
    chartPick: 'Tick a series above to draw it.',
    timesIn: (zone) => `Times in ${zone}`,
    chartLabel: (names) => `Line chart: ${names}`,
    chartReadoutHint: 'Point at or tap the chart to read values; arrow keys move along the line.',
    csvExport: 'CSV',
    csvExportHint: 'Download the shown points as CSV',
    chartReload: 'Reload',
    comparePrevious: (span) => `Compare with the previous ${span}`,
    previousPeriodName: (name, span) => `${name} (previous ${span})`,
    compareMeans: (name, now, before) => `${name}: mean ${now} now, ${before} in the previous period`,
    qualityNames: { measured: 'measured', estimated: 'estimated', substituted: 'substituted', invalid: 'invalid' },
  },
  de: {
    tagline: 'Offenes, lokal betriebenes Energiemanagementsystem',
    switchLanguage: 'Sprache auf Englisch umstellen',
    skipToContent: 'Zum Inhalt springen',
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
    roleNames: { viewer: 'Betrachter', operator: 'Bediener', engineer: 'Techniker', admin: 'Administrator' },
    roleOnAllSites: (role) => `${role} für alle Standorte`,
    roleOnSite: (role, siteId) => `${role} für ${siteId}`,
    noRoles: 'noch keine Rollen',
    checkingSession: 'Anmeldung wird geprüft …',
    retry: 'Erneut versuchen',
    setupHeading: 'Ersten Administrator anlegen',
    setupIntro:
      'Es gibt noch keine Benutzer. Der Dienst hat beim ersten Start einen einmaligen Einrichtungslink in sein Protokoll geschrieben; wer diesen Link öffnet, bekommt das Token eingetragen. Wählen Sie Benutzername und Passwort des Administrators.',
    setupToken: 'Einrichtungs-Token',
    setupTokenHint: 'Aus dem Dienstprotokoll: der Teil nach ?setup= im ausgegebenen Link.',
    setupTokenFromLink: 'Aus dem geöffneten Link übernommen.',
    username: 'Benutzername',
    usernameHint: '2–64 Zeichen: Buchstaben, Ziffern, . _ @ -',
    password: 'Passwort',
    passwordHint: 'Mindestens 12 Zeichen; darf den Benutzernamen nicht enthalten.',
    passwordRepeat: 'Passwort wiederholen',
    setupSubmit: 'Administrator anlegen und anmelden',
    setupBusy: 'Administrator wird angelegt …',
    setupDoneSignIn: 'Der Administrator wurde angelegt. Bitte melden Sie sich an.',
    setupAlreadyDone: 'Die Einrichtung ist bereits erledigt: Es gibt einen Administrator. Bitte melden Sie sich an.',
    errTokenMissing: 'Geben Sie das Einrichtungs-Token aus dem Dienstprotokoll ein.',
    errUsernameMissing: 'Geben Sie einen Benutzernamen ein (mindestens 2 Zeichen).',
    errPasswordsDiffer: 'Die beiden Passwörter stimmen nicht überein.',
    errPasswordShort: (min) => `Das Passwort braucht mindestens ${min} Zeichen.`,
    errPasswordHasName: 'Das Passwort darf den Benutzernamen nicht enthalten.',
    signInHeading: 'Anmelden',
    signInSubmit: 'Anmelden',
    signInBusy: 'Anmeldung läuft …',
    signedInAs: 'Angemeldet als',
    signOut: 'Abmelden',
    signedOut: 'Sie sind abgemeldet.',
    sessionEnded: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.',
    errNetwork: (reason) =>
      `Der Dienst ist nicht erreichbar${reason ? ` (${reason})` : ''}. Prüfen Sie die Verbindung und versuchen Sie es erneut.`,
    errWrongCredentials: 'Benutzername oder Passwort ist falsch.',
    errLocked: (seconds) => `Zu viele fehlgeschlagene Anmeldungen. Das Konto ist gesperrt; versuchen Sie es in ${seconds} s erneut.`,
    errRateLimited: (detail) => `Zu viele Versuche in kurzer Zeit. Warten Sie eine Minute und versuchen Sie es erneut. (${detail})`,
    errSetupToken:
      'Das Einrichtungs-Token ist falsch oder schon verbraucht. Nehmen Sie das Token, das der Dienst beim letzten Start ins Protokoll geschrieben hat.',
    errAlreadySetUp: 'Die Einrichtung ist bereits erledigt: Es gibt einen Administrator. Bitte melden Sie sich an.',
    sitesHeading: 'Standorte',
    sitesLoading: 'Standorte werden geladen …',
    sitesNone: 'Für Sie ist noch kein Standort sichtbar. Ein Administrator kann Standorte anlegen und Ihnen eine Rolle dafür geben.',
    sitesRefresh: 'Aktualisieren',
    siteId: 'Kennung',
    siteTimeZone: 'Zeitzone',
    siteAutomation: 'Automatik',
    siteYourRole: 'Ihre Rolle',
    automationOn: 'an',
    automationOff: 'aus',
    readOnlyHint: 'Nur ansehen: Zum Starten oder Stoppen der Automatik ist die Rolle Bediener nötig.',
    startAutomation: 'Automatik starten',
    stopAutomation: 'Automatik stoppen',
    confirmStart: (site) => `Automatische Steuerung für ${site} starten?`,
    confirmStop: (site) => `Automatische Steuerung für ${site} stoppen?`,
    confirmHint: 'Dies wird mit Ihrem Namen und dem Grund im Audit-Protokoll festgehalten.',
    reasonLabel: 'Grund (optional)',
    cancel: 'Abbrechen',
    sending: 'Wird gesendet …',
    automationStarted: (site) => `Automatik für ${site} gestartet.`,
    automationStopped: (site) => `Automatik für ${site} gestoppt.`,
    openSeries: 'Zeitreihen',
    openOverview: 'Übersicht öffnen',
    seriesHeading: (site) => `Zeitreihen – ${site}`,
    backToSites: 'Zurück zu den Standorten',
    seriesLoading: 'Zeitreihen werden geladen …',
    seriesNone: 'Dieser Standort hat noch keine Zeitreihen.',
    colShow: 'Diagramm',
    colSeries: 'Zeitreihe',
    colQuantity: 'Größe',
    colLatest: 'Letzter Wert',
    colAge: 'Alter',
    ago: (age) => `vor ${age}`,
    noReading: 'noch kein Messwert',
    seriesSelectHint: (max, units) =>
      `Haken Sie bis zu ${max} Zeitreihen (mit höchstens ${units} verschiedenen Einheiten) an, um sie zu zeichnen. Die Liste aktualisiert sich alle 5 Sekunden.`,
    seriesBlockedMax: (max) => `Höchstens ${max} Zeitreihen gleichzeitig.`,
    seriesBlockedUnits: (units) => `Höchstens ${units} verschiedene Einheiten gleichzeitig.`,
    spanLabel: 'Zeitraum',
    spanNames: { '24h': '24 h', '7d': '7 Tage', '30d': '30 Tage', '1y': '1 Jahr' },
    resolutionLabel: 'Auflösung',
    resolutionAuto: 'automatisch',
    resolutionNames: { raw: 'Rohwerte', '15m': '15 Minuten', '1h': '1 Stunde', '1d': '1 Tag' },
    resolutionShown: (name) => `Angezeigt: ${name}`,
    chartLoading: 'Messwerte werden geladen …',
    chartEmpty: 'Keine Messwerte in diesem Zeitraum.',
    chartPick: 'Haken Sie oben eine Zeitreihe an, um sie zu zeichnen.',
    timesIn: (zone) => `Zeiten in ${zone}`,
    chartLabel: (names) => `Liniendiagramm: ${names}`,
    chartReadoutHint: 'Zeigen oder tippen Sie auf das Diagramm, um Werte abzulesen; die Pfeiltasten bewegen sich entlang der Linie.',
    csvExport: 'CSV',
    csvExportHint: 'Angezeigte Punkte als CSV herunterladen',
    chartReload: 'Neu laden',
    comparePrevious: (span) => `Mit dem vorherigen Zeitraum (${span}) vergleichen`,
    previousPeriodName: (name, span) => `${name} (vorheriger Zeitraum, ${span})`,
    compareMeans: (name, now, before) => `${name}: Mittel jetzt ${now}, im vorherigen Zeitraum ${before}`,
    qualityNames: { measured: 'gemessen', estimated: 'geschätzt', substituted: 'ersetzt', invalid: 'ungültig' },
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
