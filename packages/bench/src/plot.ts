import type { ScalePoint, ScaleSide } from './scale.js';

/** One panel of the chart: a value of each side against the number of wires. */
interface Panel {
  readonly title: string;
  readonly value: (side: ScaleSide) => number;
  readonly format: (value: number) => string;
}

const WIDTH = 360;
const HEIGHT = 260;
const MARGIN = { left: 64, right: 16, top: 36, bottom: 44 };
const OURS_COLOUR = '#1f77b4';
const THEIRS_COLOUR = '#d62728';

/**
 * The seedbox case as an SVG line chart (no dependency): CPU per PEX minute and heap against the
 * number of wires, ours and ut_pex's, both axes logarithmic (a slope of 1 is linear growth).
 */
export function formatScaleSvg(points: readonly ScalePoint[]): string {
  const panels: Panel[] = [
    {
      title: 'CPU per PEX minute (% of one core)',
      value: (side) => (side.cpuNsPerMinute / 60e9) * 100,
      format: formatNumber,
    },
    {
      title: 'Heap after gc (MiB)',
      value: (side) => side.heapBytes / (1024 * 1024),
      format: formatNumber,
    },
  ];
  const body = panels.map((panel, i) => drawPanel(panel, points, i * WIDTH)).join('\n');
  const legendY = HEIGHT + 8;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * WIDTH}" height="${HEIGHT + 28}" viewBox="0 0 ${2 * WIDTH} ${HEIGHT + 28}" font-family="sans-serif" font-size="11">
<title>Seedbox benchmark: CPU per PEX minute and heap after gc against the number of wires, ours and ut_pex's</title>
<rect width="100%" height="100%" fill="#ffffff"/>
${body}
<g transform="translate(${MARGIN.left},${legendY})">
<line x1="0" y1="6" x2="20" y2="6" stroke="${OURS_COLOUR}" stroke-width="2"/><text x="26" y="10">@pex/wire-adapter createPexSwarm() per torrent</text>
<line x1="300" y1="6" x2="320" y2="6" stroke="${THEIRS_COLOUR}" stroke-width="2" stroke-dasharray="5 3"/><text x="326" y="10">ut_pex 5.0.2 + app code</text>
</g>
</svg>
`;
}

function drawPanel(panel: Panel, points: readonly ScalePoint[], x0: number): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xs = points.map((p) => p.wires);
  const values = points.flatMap((p) => [panel.value(p.ours), panel.value(p.theirs)]);
  const positive = values.filter((v) => v > 0);
  const [xMin, xMax] = decadeRange(Math.min(...xs), Math.max(...xs));
  const [yMin, yMax] = decadeRange(Math.min(...positive), Math.max(...positive));
  const sx = (x: number) =>
    x0 + MARGIN.left + ((Math.log10(x) - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (y: number) =>
    MARGIN.top +
    plotH -
    ((Math.log10(Math.max(y, 10 ** yMin)) - yMin) / (yMax - yMin || 1)) * plotH;
  const parts: string[] = [];
  parts.push(
    `<text x="${x0 + MARGIN.left}" y="${MARGIN.top - 14}" font-weight="bold">${escapeXml(panel.title)}</text>`,
  );
  parts.push(
    `<rect x="${x0 + MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999999"/>`,
  );
  for (let e = yMin; e <= yMax; e++) {
    const y = sy(10 ** e).toFixed(1);
    parts.push(
      `<line x1="${x0 + MARGIN.left}" y1="${y}" x2="${x0 + MARGIN.left + plotW}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${x0 + MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatNumber(10 ** e)}</text>`,
    );
  }
  for (const x of xs) {
    const px = sx(x).toFixed(1);
    parts.push(
      `<line x1="${px}" y1="${MARGIN.top}" x2="${px}" y2="${MARGIN.top + plotH}" stroke="#e5e5e5"/>`,
      `<text x="${px}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${x.toLocaleString('en-US')}</text>`,
    );
  }
  parts.push(
    `<text x="${x0 + MARGIN.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">wires (100 per torrent)</text>`,
  );
  const line = (side: 'ours' | 'theirs', colour: string, dash: string) => {
    const coords = points.map((p) => [sx(p.wires), sy(panel.value(p[side]))] as const);
    const path = coords.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
    const dots = coords
      .map(([x, y]) => `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${colour}"/>`)
      .join('');
    const labels = points
      .map((p, i) => {
        const [x, y] = coords[i] as readonly [number, number];
        const dy = side === 'ours' ? 14 : -8;
        return `<text x="${(x + 4).toFixed(1)}" y="${(y + dy).toFixed(1)}" fill="${colour}">${escapeXml(panel.format(panel.value(p[side])))}</text>`;
      })
      .join('');
    return `<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>${dots}${labels}`;
  };
  parts.push(
    line('ours', OURS_COLOUR, ''),
    line('theirs', THEIRS_COLOUR, ' stroke-dasharray="5 3"'),
  );
  return `<g>\n${parts.join('\n')}\n</g>`;
}

/** Whole decades around [min, max], as exponents of 10. */
function decadeRange(min: number, max: number): [number, number] {
  const low = Math.floor(Math.log10(min));
  const high = Math.ceil(Math.log10(max));
  return [low, high === low ? low + 1 : high];
}

function formatNumber(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 1) return value.toPrecision(3).replace(/\.?0+$/, '');
  return value.toPrecision(2);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
