// The map of profile positions, drawn with d3-geo in SVG: coastlines from world-atlas (served by
// the service), an equirectangular projection centred on the data (so a box drawn on it is a
// longitude/latitude box, and one across the antimeridian comes out with lon_min > lon_max), float
// tracks as great-circle lines, zoom and pan, and a brush to draw the query's box.
const { d3, topojson } = globalThis;

const COASTLINES = 'explore/vendor/land-50m.json';
/** Dot radius in pixels (smaller when there are many, so clusters stay legible). */
const RADIUS = 4.5;
const RADIUS_CROWDED = 2.8;
const CROWDED = 1500;
/** Smallest span shown around the data (degrees): a single float is shown with its surroundings. */
const MIN_LON_SPAN = 30;
const MIN_LAT_SPAN = 16;
/** Margin around the data, as a share of its span. */
const MARGIN = 0.12;

function clamp(v, lo, hi) {
  return Math.max(lo, Math.min(hi, v));
}

function wrapLon(lon) {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/** The shortest longitude arc holding every longitude: `[centre, span]` (the complement of the widest gap). */
function lonArc(lons) {
  if (lons.length === 0) return [0, 360];
  const sorted = [...new Set(lons.map(wrapLon))].sort((a, b) => a - b);
  if (sorted.length === 1) return [sorted[0], 0];
  let gap = sorted[0] + 360 - sorted[sorted.length - 1];
  let gapEnd = sorted[0];
  for (let i = 1; i < sorted.length; i++) {
    const g = sorted[i] - sorted[i - 1];
    if (g > gap) {
      gap = g;
      gapEnd = sorted[i];
    }
  }
  const span = 360 - gap;
  return [wrapLon(gapEnd + span / 2), span];
}

/** Points along a box's edges (every 5°), so it can be drawn as parallels and meridians, and fitted. */
function boxRing([lonMin, latMin, lonMax, latMax]) {
  const east = lonMax < lonMin ? lonMax + 360 : lonMax;
  const steps = Math.max(1, Math.ceil((east - lonMin) / 5));
  const ring = [];
  for (let i = 0; i <= steps; i++) ring.push([lonMin + ((east - lonMin) * i) / steps, latMin]);
  for (let i = 0; i <= steps; i++) ring.push([east - ((east - lonMin) * i) / steps, latMax]);
  ring.push([lonMin, latMin]);
  return ring.map(([lon, lat]) => [lon > 180 ? lon - 360 : lon, lat]);
}

export function createMap(container, { onSelect, onBox }) {
  const tooltip = container.querySelector('.tooltip');
  const svg = d3.select(container).append('svg').attr('role', 'img').attr('aria-label', 'Map of the profile positions');
  const layers = svg.append('g').attr('class', 'layers');
  const sphere = layers.append('path').attr('class', 'sphere');
  const graticule = layers.append('path').attr('class', 'graticule');
  const land = layers.append('path').attr('class', 'land');
  const box = layers.append('path').attr('class', 'box');
  const tracks = layers.append('g').attr('class', 'tracks');
  const dots = layers.append('g').attr('class', 'dots');
  const message = d3.select(container).append('div').attr('class', 'overlay-message').attr('hidden', true);
  message.append('span');

  let projection = d3.geoEquirectangular();
  let path = d3.geoPath(projection);
  let positions = [];
  let bbox;
  let colorOf = () => '#0a5c8a';
  let selectedId;
  let coastlines;
  let scale = 1;
  let brushLayer;

  const zoom = d3
    .zoom()
    .scaleExtent([1, 64])
    .on('zoom', (event) => {
      scale = event.transform.k;
      layers.attr('transform', event.transform);
      dots.selectAll('circle').attr('r', (d) => radiusOf(d) / scale);
      hideTooltip();
    });
  svg.call(zoom);

  function radiusOf(d) {
    const r = positions.length > CROWDED ? RADIUS_CROWDED : RADIUS;
    return d.id === selectedId ? r * 1.6 : r;
  }

  function size() {
    return [Math.max(1, container.clientWidth), Math.max(1, container.clientHeight)];
  }

  /** A projection showing the data and the box, never less than the minimum spans nor more than the world. */
  function fitProjection() {
    const [width, height] = size();
    const points = positions.map((p) => [p.longitude, p.latitude]);
    if (bbox) points.push(...boxRing(bbox));
    let centre = 0;
    let lonSpan = 360;
    let latMin = -90;
    let latMax = 90;
    if (points.length > 0) {
      [centre, lonSpan] = lonArc(points.map((p) => p[0]));
      // Data around most of the globe: the familiar world map, centred on Greenwich.
      if (lonSpan > 180) centre = 0;
      latMin = d3.min(points, (p) => p[1]);
      latMax = d3.max(points, (p) => p[1]);
      lonSpan = clamp(lonSpan * (1 + 2 * MARGIN), MIN_LON_SPAN, 360);
      const latPad = Math.max((latMax - latMin) * MARGIN, 2);
      latMin -= latPad;
      latMax += latPad;
    }
    const latSpan = clamp(latMax - latMin, MIN_LAT_SPAN, 180);
    const radians = Math.PI / 180;
    const world = Math.min(width / (2 * Math.PI), height / Math.PI);
    const k = Math.max(world, Math.min(width / (lonSpan * radians), height / (latSpan * radians)));
    // Keep the poles at or beyond the frame's edges.
    const halfHeight = height / 2 / k / radians;
    const latCentre = halfHeight >= 90 ? 0 : clamp((latMin + latMax) / 2, -90 + halfHeight, 90 - halfHeight);
    projection = d3
      .geoEquirectangular()
      .rotate([-centre, 0])
      .center([0, latCentre])
      .scale(k)
      .translate([width / 2, height / 2])
      .precision(0.2);
    path = d3.geoPath(projection);
    const [[x0, y0], [x1, y1]] = path.bounds({ type: 'Sphere' });
    zoom.extent([[0, 0], [width, height]]).translateExtent([
      [Math.min(0, x0), Math.min(0, y0)],
      [Math.max(width, x1), Math.max(height, y1)],
    ]);
    svg.attr('viewBox', `0 0 ${width} ${height}`);
    svg.call(zoom.transform, d3.zoomIdentity);
  }

  function drawBase() {
    sphere.attr('d', path({ type: 'Sphere' }));
    graticule.attr('d', path(d3.geoGraticule10()));
    land.attr('d', coastlines ? path(coastlines) : null);
    box.attr('d', bbox ? path({ type: 'Polygon', coordinates: [boxRing(bbox)] }) : null);
  }

  function drawTracks() {
    const byFloat = d3.group(positions, (p) => p.platform_number);
    const lines = [];
    for (const [platform, profiles] of byFloat) {
      if (profiles.length < 2) continue;
      const ordered = [...profiles].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
      lines.push({ platform, geometry: { type: 'LineString', coordinates: ordered.map((p) => [p.longitude, p.latitude]) } });
    }
    tracks
      .selectAll('path')
      .data(lines, (d) => d.platform)
      .join('path')
      .attr('class', 'track')
      .attr('data-platform', (d) => d.platform)
      .attr('d', (d) => path(d.geometry));
  }

  function drawDots() {
    dots
      .selectAll('circle')
      .data(positions, (d) => d.id)
      .join((enter) =>
        enter
          .append('circle')
          .attr('class', 'profile')
          .on('pointerenter', (event, d) => showTooltip(event, d))
          .on('pointerleave', hideTooltip)
          .on('click', (event, d) => {
            event.stopPropagation();
            onSelect(d);
          }),
      )
      .attr('data-id', (d) => d.id)
      .attr('data-platform', (d) => d.platform_number)
      .attr('data-cycle', (d) => d.cycle_number)
      .attr('cx', (d) => projection([d.longitude, d.latitude])[0])
      .attr('cy', (d) => projection([d.longitude, d.latitude])[1])
      .attr('r', (d) => radiusOf(d) / scale)
      .attr('fill', (d) => colorOf(d))
      .classed('selected', (d) => d.id === selectedId);
    dots.select('circle.selected').raise();
  }

  function draw() {
    drawBase();
    drawTracks();
    drawDots();
  }

  function showTooltip(event, d) {
    const [x, y] = d3.pointer(event, container);
    const time = d.time.slice(0, 16).replace('T', ' ');
    const lat = `${Math.abs(d.latitude).toFixed(2)}°${d.latitude >= 0 ? 'N' : 'S'}`;
    const lon = `${Math.abs(d.longitude).toFixed(2)}°${d.longitude >= 0 ? 'E' : 'W'}`;
    tooltip.replaceChildren();
    const head = document.createElement('strong');
    head.textContent = `Float ${d.platform_number} · cycle ${d.cycle_number}${d.direction === 'D' ? ' (descending)' : ''}`;
    const line = document.createElement('div');
    line.textContent = `${time} UTC · ${lat} ${lon} · mode ${d.data_mode}`;
    tooltip.append(head, line);
    tooltip.style.left = `${x}px`;
    tooltip.style.top = `${y}px`;
    tooltip.hidden = false;
  }

  function hideTooltip() {
    tooltip.hidden = true;
  }

  function stopDrawing() {
    brushLayer?.remove();
    brushLayer = undefined;
    container.classList.remove('drawing');
    svg.call(zoom);
  }

  /** The box under a brush selection (screen pixels), in degrees, rounded to 0.01°. */
  function boxOf([[bx0, y0], [bx1, y1]]) {
    const t = d3.zoomTransform(svg.node());
    // Only the world counts: a box dragged past its edge (into the margin beside it) stops there.
    const [[sx0], [sx1]] = path.bounds({ type: 'Sphere' });
    const [worldLeft, worldRight] = [t.applyX(sx0), t.applyX(sx1)];
    const x0 = clamp(bx0, worldLeft, worldRight);
    const x1 = clamp(bx1, worldLeft, worldRight - 1e-6);
    const [lonA, latA] = projection.invert(t.invert([x0, y0]));
    const [lonB, latB] = projection.invert(t.invert([x1, y1]));
    const round = (v) => Math.round(v * 100) / 100;
    const spanDegrees = ((x1 - x0) / t.k / projection.scale()) * (180 / Math.PI);
    const [lonMin, lonMax] = spanDegrees >= 360 ? [-180, 180] : [round(lonA), round(lonB)];
    return [lonMin, round(clamp(latB, -90, 90)), lonMax, round(clamp(latA, -90, 90))];
  }

  function startDrawing() {
    if (brushLayer) return;
    const [width, height] = size();
    svg.on('.zoom', null);
    hideTooltip();
    container.classList.add('drawing');
    const brush = d3
      .brush()
      .extent([[0, 0], [width, height]])
      .on('end', (event) => {
        if (!event.selection) return;
        const [[x0, y0], [x1, y1]] = event.selection;
        if (x1 - x0 < 3 || y1 - y0 < 3) return;
        const drawn = boxOf(event.selection);
        stopDrawing();
        onBox(drawn);
      });
    brushLayer = svg.append('g').attr('class', 'brush').call(brush);
  }

  d3.json(COASTLINES).then(
    (topology) => {
      coastlines = topojson.feature(topology, topology.objects.land);
      land.attr('d', path(coastlines));
    },
    () => {
      // The map still works without coastlines; say so where the map is.
      showMessage('Coastlines could not be loaded.');
    },
  );

  function showMessage(text) {
    message.attr('hidden', text ? null : true).select('span').text(text ?? '');
  }

  let resizeTimer;
  new ResizeObserver(() => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      fitProjection();
      draw();
    }, 120);
  }).observe(container);

  fitProjection();
  draw();

  return {
    /** New positions (and the query's box): refit the view and redraw everything. */
    show(next, { box: nextBox, color }) {
      positions = next;
      bbox = nextBox;
      colorOf = color;
      fitProjection();
      draw();
    },
    recolor(color) {
      colorOf = color;
      dots.selectAll('circle').attr('fill', (d) => colorOf(d));
    },
    select(id) {
      selectedId = id;
      drawDots();
    },
    fit() {
      fitProjection();
      draw();
    },
    message: showMessage,
    startDrawing,
    stopDrawing,
    get drawing() {
      return brushLayer !== undefined;
    },
  };
}

/** Parses `lon_min,lat_min,lon_max,lat_max` (undefined when it is not four numbers). */
export function parseBox(text) {
  if (!text) return undefined;
  const parts = text.split(',').map((s) => Number(s.trim()));
  return parts.length === 4 && parts.every(Number.isFinite) ? parts : undefined;
}
