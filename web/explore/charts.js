// The charts, drawn with Observable Plot: one profile against depth, the window's T/S diagram,
// one float's temperature section. Plot is the UMD global loaded before this module.
const { Plot, d3 } = globalThis;

const CLASS = 'argo-plot';
const EARTH_RADIUS_KM = 6371.0088;

/**
 * Puts a Plot figure (or legend) into `container`. Plot adds a <style> element with its default
 * rules to what it draws; the page's Content-Security-Policy refuses inline styles, so those
 * elements are removed before the figure enters the document, and explore.css carries the same
 * rules for the `argo-plot` class.
 */
export function mount(container, node) {
  for (const style of node.querySelectorAll('style')) style.remove();
  container.replaceChildren(node);
  return node;
}

/** The vertical coordinate of a profile's levels: depth when it has it, else pressure. */
export function verticalOf(profile) {
  return Array.isArray(profile.depth) ? 'depth' : 'pressure';
}

function verticalLabel(vertical) {
  return vertical === 'depth' ? 'Depth (m)' : 'Pressure (dbar)';
}

/** The levels of a profile as rows `{z, TEMP, PSAL}` (null where no value). */
function levelRows(profile) {
  const vertical = verticalOf(profile);
  const z = profile[vertical] ?? [];
  return z.map((level, i) => ({ z: level, TEMP: profile.TEMP?.[i] ?? null, PSAL: profile.PSAL?.[i] ?? null }));
}

const VARIABLE_STYLE = {
  TEMP: { label: 'Temperature (°C)', color: '#c0392b' },
  PSAL: { label: 'Practical salinity (PSU)', color: '#1f6fb2' },
};

/** Temperature and salinity against depth (or pressure), side by side. */
export function profileCharts(profile, { width }) {
  const rows = levelRows(profile);
  const vertical = verticalOf(profile);
  const charts = [];
  for (const variable of ['TEMP', 'PSAL']) {
    const style = VARIABLE_STYLE[variable];
    const values = rows.filter((r) => r[variable] !== null && r.z !== null);
    const chartWidth = Math.max(280, Math.min(460, Math.floor(width / 2) - 16));
    if (values.length === 0) {
      const empty = document.createElement('p');
      empty.className = 'placeholder';
      empty.textContent = profile[variable] === null ? `This file has no ${variable}.` : `No ${variable} value passes this QC mode.`;
      charts.push(empty);
      continue;
    }
    charts.push(
      Plot.plot({
        className: CLASS,
        width: chartWidth,
        height: 420,
        marginLeft: 52,
        marginTop: 28,
        grid: true,
        title: style.label,
        x: { label: null, axis: 'top', nice: true },
        y: { label: verticalLabel(vertical), reverse: true, nice: true },
        marks: [
          Plot.line(rows, { x: variable, y: 'z', stroke: style.color, strokeWidth: 1.6, curve: 'linear' }),
          Plot.dot(values, { x: variable, y: 'z', r: 1.8, fill: style.color }),
          Plot.tip(values, Plot.pointerY({ x: variable, y: 'z', title: (d) => `${d[variable]} at ${d.z} ${vertical === 'depth' ? 'm' : 'dbar'}` })),
        ],
      }),
    );
  }
  return charts;
}

/** The colour scale of profile times (shared by the map and the T/S diagram). */
export function timeColor(domain) {
  return { type: 'utc', domain, scheme: 'viridis', label: 'Time (UTC)' };
}

/**
 * The T/S diagram of the window: one curve per profile, coloured by its time; the selected profile
 * drawn on top in black.
 */
export function tsDiagram(profiles, { width, selectedId, timeDomain }) {
  const rows = [];
  for (const p of profiles) {
    const time = new Date(p.time);
    for (const r of levelRows(p)) {
      if (r.TEMP !== null && r.PSAL !== null) rows.push({ id: p.id, time, TEMP: r.TEMP, PSAL: r.PSAL });
    }
  }
  const selected = rows.filter((r) => r.id === selectedId);
  return {
    points: rows.length,
    node: Plot.plot({
      className: CLASS,
      width: Math.min(width, 900),
      height: 480,
      marginLeft: 52,
      grid: true,
      x: { label: 'Practical salinity (PSU)', nice: true },
      y: { label: 'Temperature (°C)', nice: true },
      color: { ...timeColor(timeDomain), legend: true },
      marks: [
        Plot.line(rows, { x: 'PSAL', y: 'TEMP', z: 'id', stroke: 'time', strokeWidth: 1, strokeOpacity: 0.8 }),
        Plot.line(selected, { x: 'PSAL', y: 'TEMP', stroke: '#111', strokeWidth: 2.5 }),
        Plot.tip(rows, Plot.pointer({ x: 'PSAL', y: 'TEMP', title: (d) => `${d.id}\n${d.time.toISOString().slice(0, 16).replace('T', ' ')} UTC\nT ${d.TEMP} °C, S ${d.PSAL}` })),
      ],
    }),
  };
}

/** Cumulative great-circle distance (km) along a float's profiles, in their order. */
export function alongTrackKm(profiles) {
  const out = [];
  let total = 0;
  for (let i = 0; i < profiles.length; i++) {
    if (i > 0) {
      const a = profiles[i - 1];
      const b = profiles[i];
      total += d3.geoDistance([a.longitude, a.latitude], [b.longitude, b.latitude]) * EARTH_RADIUS_KM;
    }
    out.push(total);
  }
  return out;
}

/**
 * Cell edges around sorted centres: midpoints between neighbours, half a step beyond the ends,
 * kept within `[lo, hi]` (a section never reaches outside its window, nor above the surface).
 */
function edges(centres, minimumHalfWidth, [lo, hi] = [-Infinity, Infinity]) {
  const n = centres.length;
  const clip = ([a, b]) => [Math.max(lo, a), Math.min(hi, b)];
  if (n === 1) return [clip([centres[0] - minimumHalfWidth, centres[0] + minimumHalfWidth])];
  return centres.map((c, i) => {
    const before = i > 0 ? (c - centres[i - 1]) / 2 : (centres[1] - c) / 2;
    const after = i < n - 1 ? (centres[i + 1] - c) / 2 : (c - centres[n - 2]) / 2;
    return clip([c - before, c + after]);
  });
}

/**
 * A temperature section of one float: time (or distance along its track) against depth, one cell
 * per profile and level, coloured by temperature. `profiles` share their levels (the request names
 * target levels).
 */
export function section(profiles, { width, along, window }) {
  const vertical = verticalOf(profiles[0]);
  const levels = profiles[0][vertical];
  const km = alongTrackKm(profiles);
  const xs = along === 'distance' ? km : profiles.map((p) => Date.parse(p.time));
  // A lone profile still gets a visible column: a day, or 10 km.
  const columns = edges(xs, along === 'distance' ? 10 : 43_200_000, along === 'distance' ? [0, km[km.length - 1] || 20] : window);
  const rows = edges(levels, 5, [0, Infinity]);
  const cells = [];
  profiles.forEach((p, i) => {
    const [x1, x2] = columns[i];
    levels.forEach((z, j) => {
      const t = p.TEMP?.[j];
      if (t === null || t === undefined) return;
      const [y1, y2] = rows[j];
      cells.push({
        x1: along === 'distance' ? x1 : new Date(x1),
        x2: along === 'distance' ? x2 : new Date(x2),
        y1,
        y2,
        TEMP: t,
        z,
        cycle: p.cycle_number,
        time: p.time,
        km: km[i],
      });
    });
  });
  const deepest = d3.max(cells, (c) => c.z) ?? levels[levels.length - 1];
  const ticks = profiles.map((p, i) => ({ x: along === 'distance' ? km[i] : new Date(p.time), cycle: p.cycle_number }));
  return {
    cells: cells.length,
    node: Plot.plot({
      className: CLASS,
      width: Math.min(width, 1000),
      height: 440,
      marginLeft: 56,
      marginBottom: 40,
      x: along === 'distance' ? { label: 'Distance along the track (km)' } : { type: 'utc', label: 'Time (UTC)' },
      y: { label: verticalLabel(vertical), reverse: true, domain: [0, deepest] },
      color: { type: 'linear', scheme: 'RdYlBu', reverse: true, legend: true, label: 'Temperature (°C)' },
      marks: [
        // crispEdges: no anti-aliased seams between the cells of neighbouring levels.
        Plot.rect(cells, { x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: 'TEMP', inset: 0, shapeRendering: 'crispEdges' }),
        Plot.ruleX(ticks, { x: 'x', y1: 0, y2: deepest * 0.025, stroke: '#111', strokeWidth: 1 }),
        Plot.tip(
          cells,
          Plot.pointer({
            x: (c) => (along === 'distance' ? (c.x1 + c.x2) / 2 : new Date((+c.x1 + +c.x2) / 2)),
            y: 'z',
            title: (c) => `cycle ${c.cycle}, ${c.time.slice(0, 10)}${along === 'distance' ? `, ${Math.round(c.km)} km` : ''}\n${c.z} ${vertical === 'depth' ? 'm' : 'dbar'}: ${c.TEMP} °C`,
          }),
        ),
      ],
    }),
  };
}

/** A standalone colour legend (Plot's), for the map. */
export function legend(options) {
  return Plot.legend({ className: CLASS, ...options });
}

/** A Plot colour scale, to colour the map's dots exactly as its legend says. */
export function colorScale(options) {
  return Plot.scale({ color: options });
}
