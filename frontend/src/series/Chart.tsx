/** A responsive SVG line chart of up to four series with a pointer/tap/keyboard read-out. */
import { useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { Lang, Strings } from '../i18n';
import { layoutChart, type ChartLine } from './chartModel';
import { nearestIndex } from './geometry';
import { formatDateTime } from './localtime';
import { formatValue } from './units';

const W = 800;
const H = 380;
const PAD = { top: 30, bottom: 34, left: 64, right: 64 };

interface ChartProps {
  t: Strings;
  lang: Lang;
  lines: ChartLine[];
  t0: number;
  t1: number;
  timeZone: string;
  /** quality per line id and point index, for the read-out */
  quality: (lineId: number, index: number) => string;
}

export function Chart({ t, lang, lines, t0, t1, timeZone, quality }: ChartProps) {
  const svgRef = useRef<SVGSVGElement>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  const hasRight = new Set(lines.map((l) => l.unit)).size > 1;
  const box = { left: PAD.left, top: PAD.top, width: W - PAD.left - (hasRight ? PAD.right : 16), height: H - PAD.top - PAD.bottom };
  const layout = useMemo(() => layoutChart(lines, t0, t1, box, timeZone, lang), [lines, t0, t1, box.width, timeZone, lang]);

  const timeAt = (clientX: number): number | null => {
    const rect = svgRef.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return null;
    const vx = ((clientX - rect.left) / rect.width) * W;
    const clamped = Math.min(box.left + box.width, Math.max(box.left, vx));
    return t0 + ((clamped - box.left) / box.width) * (t1 - t0);
  };

  const onPointer = (e: PointerEvent<SVGSVGElement>) => {
    const at = timeAt(e.clientX);
    if (at !== null) setCursor(at);
  };

  // Keyboard: arrows step along the first line's points, Home/End jump, Escape hides the read-out.
  const onKey = (e: KeyboardEvent<SVGSVGElement>) => {
    const pts = lines.find((l) => l.points.length > 0)?.points;
    if (!pts) return;
    let i = cursor === null ? -1 : nearestIndex(pts, cursor);
    const big = Math.max(1, Math.round(pts.length / 20));
    if (e.key === 'ArrowRight') i = i < 0 ? pts.length - 1 : Math.min(pts.length - 1, i + (e.shiftKey ? big : 1));
    else if (e.key === 'ArrowLeft') i = i < 0 ? pts.length - 1 : Math.max(0, i - (e.shiftKey ? big : 1));
    else if (e.key === 'Home') i = 0;
    else if (e.key === 'End') i = pts.length - 1;
    else if (e.key === 'Escape') {
      setCursor(null);
      return;
    } else return;
    e.preventDefault();
    setCursor(pts[i]!.t);
  };

  const readout =
    cursor === null
      ? []
      : lines.flatMap((l) => {
          const i = nearestIndex(l.points, cursor);
          const p = l.points[i];
          return p ? [{ line: l, index: i, point: p }] : [];
        });
  const cursorT = readout[0]?.point.t ?? cursor;
  const names = lines.map((l) => l.name).join(', ');

  return (
    <figure className="chart">
      <div className="chart-readout" aria-live="polite">
        {cursorT !== null && readout.length > 0 ? (
          <>
            <strong>{formatDateTime(cursorT, timeZone, lang)}</strong>
            <ul>
              {readout.map(({ line, index, point }) => {
                const q = quality(line.id, index);
                return (
                  <li key={line.id}>
                    <span className="swatch" style={{ background: line.color }} aria-hidden="true" />
                    {line.name}: <strong>{formatValue(point.value, line.unit, lang)}</strong>
                    {point.t !== cursorT && <span className="muted small"> ({formatDateTime(point.t, timeZone, lang)})</span>}
                    {q && q !== 'measured' && <span className="muted small"> – {t.qualityNames[q] ?? q}</span>}
                  </li>
                );
              })}
            </ul>
          </>
        ) : (
          <span className="muted small">{t.chartReadoutHint}</span>
        )}
      </div>
      <svg
        ref={svgRef}
        className="chart-svg"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={t.chartLabel(names)}
        tabIndex={0}
        onPointerMove={onPointer}
        onPointerDown={onPointer}
        onPointerLeave={(e) => {
          if (e.pointerType === 'mouse') setCursor(null);
        }}
        onKeyDown={onKey}
      >
        <rect x={box.left} y={box.top} width={box.width} height={box.height} className="chart-plot" />
        {layout.axes[0]?.ticks.map((tick) => (
          <line key={`g${tick.y}`} x1={box.left} x2={box.left + box.width} y1={tick.y} y2={tick.y} className="chart-grid" />
        ))}
        {layout.xTicks.map((tick) => (
          <g key={tick.ms}>
            <line x1={tick.x} x2={tick.x} y1={box.top} y2={box.top + box.height} className="chart-grid" />
            <text x={tick.x} y={H - 12} textAnchor="middle" className="chart-tick">
              {tick.label}
            </text>
          </g>
        ))}
        {layout.axes.map((axis) => {
          const left = axis.side === 'left';
          const ax = left ? box.left - 8 : box.left + box.width + 8;
          return (
            <g key={axis.unit}>
              {axis.ticks.map((tick) => (
                <text key={tick.y} x={ax} y={tick.y + 4} textAnchor={left ? 'end' : 'start'} className="chart-tick">
                  {tick.label}
                </text>
              ))}
              <text x={left ? 6 : W - 6} y={18} textAnchor={left ? 'start' : 'end'} className="chart-unit">
                {axis.label}
              </text>
            </g>
          );
        })}
        {layout.paths.map((p) => (
          <path key={p.id} d={p.d} stroke={p.color} className="chart-line" />
        ))}
        {cursorT !== null && readout.length > 0 && (
          <g className="chart-cursor" aria-hidden="true">
            <line x1={layout.x(cursorT)} x2={layout.x(cursorT)} y1={box.top} y2={box.top + box.height} />
            {readout.map(({ line, point }) => (
              <circle key={line.id} cx={layout.x(point.t)} cy={layout.y(line.unit, point.value)} r={5} fill={line.color} />
            ))}
          </g>
        )}
      </svg>
      <figcaption>
        <ul className="legend">
          {lines.map((l) => (
            <li key={l.id}>
              <span className="swatch" style={{ background: l.color }} aria-hidden="true" />
              {l.name} <span className="muted">({layout.axes.find((a) => a.unit === l.unit)?.label ?? l.unit})</span>
            </li>
          ))}
        </ul>
        <p className="muted small">{t.timesIn(timeZone)}</p>
      </figcaption>
    </figure>
  );
}
