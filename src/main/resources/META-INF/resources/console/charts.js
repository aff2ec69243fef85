// Two small inline-SVG charts of GET /v1/stats/attempts buckets: success rate per hour (bars) and
// attempt latency per hour (average and p95 lines). No library, no network.

const NS = 'http://www.w3.org/2000/svg';
const W = 480, H = 180, PAD_L = 58, PAD_B = 24, PAD_T = 10, PAD_R = 8;

function el(name, attrs, text) {
  const node = document.createElementNS(NS, name);
  Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function frame(label, yTicks, yFormat, maxY) {
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label });
  svg.append(el('title', {}, label));
  const plotH = H - PAD_B - PAD_T;
  yTicks.forEach((t) => {
    const y = PAD_T + plotH - (t / maxY) * plotH;
    svg.append(el('line', { x1: PAD_L, x2: W - PAD_R, y1: y, y2: y, stroke: '#c9d0d8', 'stroke-width': 1 }));
    svg.append(el('text', { x: PAD_L - 6, y: y + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#4a5260' }, yFormat(t)));
  });
  return svg;
}

function hourLabels(svg, buckets) {
  const step = (W - PAD_L - PAD_R) / buckets.length;
  buckets.forEach((b, i) => {
    if (i % 6 === 0 || i === buckets.length - 1) {
      const hour = new Date(b.start).toISOString().slice(11, 13) + 'h';
      svg.append(el('text', { x: PAD_L + i * step + step / 2, y: H - 6, 'text-anchor': 'middle', 'font-size': 11,
        fill: '#4a5260' }, hour));
    }
  });
}

/** Bars of the hourly success rate; hours without attempts are left empty. */
export function successChart(stats) {
  const total = stats.successRate === null ? 'no attempts' : `${Math.round(stats.successRate * 100)}% of ${stats.attempts} attempts succeeded`;
  const svg = frame(`Success rate per hour, last ${stats.hours} hours: ${total}`, [0, 0.5, 1],
    (t) => `${t * 100}%`, 1);
  const plotH = H - PAD_B - PAD_T;
  const step = (W - PAD_L - PAD_R) / stats.buckets.length;
  stats.buckets.forEach((b, i) => {
    if (b.successRate === null) return;
    const h = Math.max(2, b.successRate * plotH);
    const bar = el('rect', { x: PAD_L + i * step + 1, y: PAD_T + plotH - h, width: Math.max(1, step - 2), height: h,
      fill: b.successRate >= 0.99 ? '#146c2e' : b.successRate >= 0.5 ? '#b06000' : '#b3261e' });
    bar.append(el('title', {}, `${b.start}: ${b.succeeded}/${b.attempts} succeeded`));
    svg.append(bar);
  });
  hourLabels(svg, stats.buckets);
  return svg;
}

/** Lines of the hourly average and p95 attempt duration (ms). */
export function latencyChart(stats) {
  const max = Math.max(10, ...stats.buckets.map((b) => b.p95DurationMs || 0));
  const niceMax = Math.pow(10, Math.ceil(Math.log10(max)));
  const top = niceMax / 2 >= max ? niceMax / 2 : niceMax;
  const worst = Math.max(0, ...stats.buckets.map((b) => b.p95DurationMs || 0));
  const svg = frame(`Attempt latency per hour, last ${stats.hours} hours: p95 up to ${worst} ms`, [0, top / 2, top],
    (t) => `${t} ms`, top);
  const plotH = H - PAD_B - PAD_T;
  const step = (W - PAD_L - PAD_R) / stats.buckets.length;
  const series = (key, color, dash) => {
    const points = [];
    stats.buckets.forEach((b, i) => {
      if (b[key] === null) return;
      const x = PAD_L + i * step + step / 2, y = PAD_T + plotH - (b[key] / top) * plotH;
      points.push(`${x},${y}`);
      const dot = el('circle', { cx: x, cy: y, r: 3, fill: color });
      dot.append(el('title', {}, `${b.start}: ${key === 'avgDurationMs' ? 'average' : 'p95'} ${b[key]} ms`));
      svg.append(dot);
    });
    if (points.length > 1) {
      svg.append(el('polyline', { points: points.join(' '), fill: 'none', stroke: color, 'stroke-width': 2,
        'stroke-dasharray': dash || '' }));
    }
  };
  series('p95DurationMs', '#b3261e', '5 3');
  series('avgDurationMs', '#0b57d0');
  svg.append(el('text', { x: W - PAD_R, y: PAD_T + 10, 'text-anchor': 'end', 'font-size': 11, fill: '#0b57d0' }, 'average'));
  svg.append(el('text', { x: W - PAD_R, y: PAD_T + 24, 'text-anchor': 'end', 'font-size': 11, fill: '#b3261e' }, 'p95 (dashed)'));
  hourLabels(svg, stats.buckets);
  return svg;
}
