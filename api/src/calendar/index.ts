/** Calendars, public face: German public holidays per state, bridge days, weekday helpers. Pure. */
export {
  GERMAN_STATES,
  type GermanState,
  type Holiday,
  isGermanState,
  easterSunday,
  bussUndBettag,
  addCalendarDays,
  weekdayOf,
  germanHolidays,
  holidayName,
  isHoliday,
  isWorkingDay,
  isBridgeDay,
} from './holidays.js';
