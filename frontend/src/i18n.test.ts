import { describe, expect, it } from 'vitest';
import { formatUptime, pickLanguage, STRINGS } from './i18n';

describe('pickLanguage', () => {
  it('picks German for German locales', () => {
    expect(pickLanguage(['de'])).toBe('de');
    expect(pickLanguage(['de-DE', 'en-US'])).toBe('de');
    expect(pickLanguage(['de-AT'])).toBe('de');
    expect(pickLanguage(['DE_ch'])).toBe('de');
  });

  it('picks English for English locales', () => {
    expect(pickLanguage(['en-GB', 'de-DE'])).toBe('en');
  });

  it('uses the first supported language in preference order', () => {
    expect(pickLanguage(['fr-FR', 'de-DE', 'en'])).toBe('de');
    expect(pickLanguage(['fr-FR', 'en-US', 'de'])).toBe('en');
  });

  it('defaults to English otherwise', () => {
    expect(pickLanguage([])).toBe('en');
    expect(pickLanguage(['fr-FR', 'nl'])).toBe('en');
    expect(pickLanguage(['dee', 'deutsch'])).toBe('en');
  });
});

describe('STRINGS', () => {
  it('has the same keys in both languages', () => {
    expect(Object.keys(STRINGS.de).sort()).toEqual(Object.keys(STRINGS.en).sort());
  });
});

describe('formatUptime', () => {
  it('formats seconds, minutes, hours and days', () => {
    expect(formatUptime(12)).toBe('12 s');
    expect(formatUptime(125)).toBe('2 min 5 s');
    expect(formatUptime(3725)).toBe('1 h 2 min');
    expect(formatUptime(90000)).toBe('1 d 1 h');
  });
});
