/** The list of a site's series with a chart checkbox, latest value and its age. */
import type { Lang, Strings } from '../i18n';
import { ageSeconds, type SeriesInfo } from './model';
import { formatAge, formatValue } from './units';

interface SeriesTableProps {
  t: Strings;
  lang: Lang;
  series: SeriesInfo[];
  selected: number[];
  now: number;
  onToggle: (id: number) => void;
}

export function SeriesTable({ t, lang, series, selected, now, onToggle }: SeriesTableProps) {
  return (
    <div className="table-wrap">
      <table className="series-table">
        <thead>
          <tr>
            <th scope="col">{t.colShow}</th>
            <th scope="col">{t.colSeries}</th>
            <th scope="col">{t.colQuantity}</th>
            <th scope="col" className="num">
              {t.colLatest}
            </th>
            <th scope="col">{t.colAge}</th>
          </tr>
        </thead>
        <tbody>
          {series.map((s) => {
            const id = `series-${s.id}`;
            return (
              <tr key={s.id}>
                <td>
                  <input type="checkbox" className="check" id={id} checked={selected.includes(s.id)} onChange={() => onToggle(s.id)} />
                </td>
                <th scope="row">
                  <label htmlFor={id}>
                    {s.name || s.key}
                    {s.name && (
                      <>
                        <br />
                        <code className="muted small">{s.key}</code>
                      </>
                    )}
                  </label>
                </th>
                <td>{s.quantity}</td>
                <td className="num">{s.latest ? formatValue(s.latest.value, s.unit, lang) : '–'}</td>
                <td>{s.latest ? t.ago(formatAge(ageSeconds(s.latest.ts, now))) : <span className="muted">{t.noReading}</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
