import { describe, expect, it } from 'vitest';
import { displayUnit, formatAge, formatEnergy, formatNumber, formatPower, formatValue } from './units';

describe('formatPower', () => {
  it('keeps small values in W without decimals', () => {
    expect(formatPower(0)).toBe('0 W');
    expect(formatPower(950)).toBe('950 W');
    expect(formatPower(-12.4)).toBe('-12 W');
  });

  it('scales to kW and MW with two decimals below 10, one above', () => {
    expect(formatPower(1234)).toBe('1.23 kW');
    expect(formatPower(12_345)).toBe('12.3 kW');
    expect(formatPower(999_999)).toBe('1,000.0 kW');
    expect(formatPower(1_250_000)).toBe('1.25 MW');
    expect(formatPower(-45_600)).toBe('-45.6 kW');
    expect(formatPower(3.2e9)).toBe('3.20 GW');
  });

  it('uses the German decimal comma', () => {
    expect(formatPower(1234, 'de')).toBe('1,23 kW');
    expect(formatPower(1_250_000, 'de')).toBe('1,25 MW');
  });

  it('shows a dash for non-finite values', () => {
    expect(formatPower(Number.NaN)).toBe('–');
  });
});

describe('formatEnergy', () => {
  it('scales Wh to kWh and MWh', () => {
    expect(formatEnergy(800)).toBe('800 Wh');
    expect(formatEnergy(4200)).toBe('4.20 kWh');
    expect(formatEnergy(12_500_000)).toBe('12.5 MWh');
    expect(formatEnergy(12_500_000, 'de')).toBe('12,5 MWh');
  });
});

describe('formatValue', () => {
  it('dispatches on the unit', () => {
    expect(formatValue(5600, 'W')).toBe('5.60 kW');
    expect(formatValue(5600, 'Wh')).toBe('5.60 kWh');
  });

  it('shows percent and other units as they are', () => {
    expect(formatValue(42, '%')).toBe('42%');
    expect(formatValue(42, '%', 'de')).toBe('42 %');
    expect(formatValue(55.54, '%')).toBe('55.5%');
    expect(formatValue(21.456, '°C', 'de')).toBe('21,5 °C');
    expect(formatValue(3.14159, 'Hz')).toBe('3.14 Hz');
    expect(formatValue(7, '')).toBe('7');
  });
});

describe('displayUnit', () => {
  it('picks the prefix from the magnitude', () => {
    expect(displayUnit('W', 500)).toEqual({ factor: 1, unit: 'W' });
    expect(displayUnit('W', -2500)).toEqual({ factor: 1000, unit: 'kW' });
    expect(displayUnit('Wh', 3e6)).toEqual({ factor: 1e6, unit: 'MWh' });
    expect(displayUnit('%', 3e6)).toEqual({ factor: 1, unit: '%' });
  });
});

describe('formatNumber / formatAge', () => {
  it('formats numbers per language', () => {
    expect(formatNumber(1234.5, 1, 'en')).toBe('1,234.5');
    expect(formatNumber(1234.5, 1, 'de')).toBe('1.234,5');
  });

  it('formats ages in the largest fitting unit', () => {
    expect(formatAge(-3)).toBe('0 s');
    expect(formatAge(12.7)).toBe('12 s');
    expect(formatAge(200)).toBe('3 min');
    expect(formatAge(7300)).toBe('2 h');
    expect(formatAge(200_000)).toBe('2 d');
  });
});
