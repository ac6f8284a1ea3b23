/** The power flow diagram: grid, PV, battery and load around a hub, arrows in the direction of flow. */
import type { Lang } from '../../i18n';
import { formatNumber, formatPower } from '../../series/units';
import { flowDirection, type Direction, type FlowValue, type PowerFlow as Flow } from './model';
import type { OverviewStrings } from './strings';

interface Props {
  s: OverviewStrings;
  lang: Lang;
  flow: Flow;
}

const HUB = { x: 200, y: 150 };
const NODES = {
  pv: { x: 200, y: 40 },
  grid: { x: 60, y: 150 },
  load: { x: 340, y: 150 },
  battery: { x: 200, y: 260 },
} as const;
type NodeId = keyof typeof NODES;
const NODE_R = 34;
const HUB_R = 8;

/** The point `by` units from `a` on the way to `b`. */
function towards(a: { x: number; y: number }, b: { x: number; y: number }, by: number): { x: number; y: number } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  return { x: a.x + (dx / len) * by, y: a.y + (dy / len) * by };
}

function valueText(v: FlowValue, s: OverviewStrings, lang: Lang): string {
  return v.value === null ? s.noReading : formatPower(Math.abs(v.value), lang);
}

/** Line from node to hub; "forward" means power flows node → hub (grid import, PV, battery discharge) or hub → load. */
function FlowLine({ id, direction }: { id: NodeId; direction: Direction }) {
  const n = NODES[id];
  const towardHub = id === 'load' ? direction === 'backward' : direction === 'forward';
  // the moving dashes run between the node's rim and the hub's, so the arrow head stays visible
  const nodeEdge = towards(n, HUB, NODE_R + 4);
  const hubEdge = towards(HUB, n, HUB_R + 6);
  const [from, to] = towardHub ? [nodeEdge, hubEdge] : [hubEdge, nodeEdge];
  return (
    <g className={`flow flow-${direction}`} data-flow={id}>
      <line x1={n.x} y1={n.y} x2={HUB.x} y2={HUB.y} className="flow-line" />
      {direction !== 'idle' && <line x1={from.x} y1={from.y} x2={to.x} y2={to.y} className="flow-dash" markerEnd="url(#flow-arrow)" />}
    </g>
  );
}

export function PowerFlowDiagram({ s, lang, flow }: Props) {
  const largest = Math.max(...[flow.gridW, flow.pvW, flow.batteryW, flow.loadW].map((v) => Math.abs(v.value ?? 0)));
  const dir = {
    grid: flowDirection(flow.gridW.value, largest),
    pv: flowDirection(flow.pvW.value, largest),
    battery: flowDirection(flow.batteryW.value, largest),
    load: flowDirection(flow.loadW.value, largest),
  };
  const gridState = dir.grid === 'forward' ? s.importing : dir.grid === 'backward' ? s.exporting : s.idle;
  const batState = dir.battery === 'forward' ? s.discharging : dir.battery === 'backward' ? s.charging : s.idle;
  const soc = flow.socPct.value === null ? null : `${formatNumber(flow.socPct.value, 0, lang)} %`;

  const node = (id: NodeId, label: string, value: FlowValue, extra?: string) => (
    <g className={`flow-node${value.stale ? ' flow-stale' : ''}`} data-node={id}>
      <circle cx={NODES[id].x} cy={NODES[id].y} r={NODE_R} />
      <text x={NODES[id].x} y={NODES[id].y - 6} className="flow-label">
        {label}
      </text>
      <text x={NODES[id].x} y={NODES[id].y + 12} className="flow-value">
        {valueText(value, s, lang)}
      </text>
      {extra && (
        <text x={NODES[id].x} y={NODES[id].y + 50} className="flow-extra">
          {extra}
        </text>
      )}
    </g>
  );

  return (
    <figure className="powerflow">
      <svg viewBox="0 0 400 320" role="img" aria-label={s.flowLabel}>
        <defs>
          <marker id="flow-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" />
          </marker>
        </defs>
        {(['grid', 'pv', 'battery', 'load'] as const).map((id) => (
          <FlowLine key={id} id={id} direction={dir[id]} />
        ))}
        <circle cx={HUB.x} cy={HUB.y} r={HUB_R} className="flow-hub" />
        {node('grid', s.grid, flow.gridW, gridState)}
        {node('pv', s.pv, flow.pvW)}
        {node('load', s.load, flow.loadW)}
        {node('battery', s.battery, flow.batteryW, soc ? `${soc} · ${batState}` : batState)}
      </svg>
      <figcaption className="sr-only">{s.flowLabel}</figcaption>
    </figure>
  );
}
