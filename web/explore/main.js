// The explorer: reads its state from the address, asks the service for the window's positions,
// maps them, and plots what the person opens. Every request goes to the service's own origin.
import * as api from './api.js';
import * as charts from './charts.js';
import { createMap, parseBox } from './map.js';
import { downloadLinks, pythonSnippet } from './share.js';
import * as S from './state.js';
import { describeError, describeResult, el } from './summary.js';

const $ = (id) => document.getElementById(id);

const ui = {
  form: $('query'),
  month: $('month'),
  fields: Object.fromEntries(['start', 'end', 'bbox', 'mode', 'platform', 'depth', 'vertical', 'max_profiles'].map((n) => [n, $(n)])),
  variables: [...document.querySelectorAll('input[name="variable"]')],
  advanced: $('advanced'),
  formErrors: $('form-errors'),
  drawBox: $('draw-box'),
  clearBox: $('clear-box'),
  summary: $('summary'),
  map: $('map'),
  legend: $('map-legend'),
  colorButtons: [...document.querySelectorAll('[data-color]')],
  resetView: $('reset-view'),
  tabs: [...document.querySelectorAll('[role="tab"]')],
  panels: { profile: $('panel-profile'), ts: $('panel-ts'), section: $('panel-section') },
  sectionPlatform: $('section-platform'),
  sectionBody: $('section-body'),
  xButtons: [...document.querySelectorAll('[data-x]')],
  downloads: $('downloads'),
  python: $('python'),
  copyPython: $('copy-python'),
};

const MODE_COLORS = { domain: ['R', 'A', 'D'], range: ['#e4572e', '#f2a516', '#2e86ab'] };
const MODE_NAMES = { R: 'R real time', A: 'A adjusted', D: 'D delayed mode' };

let query = {};
let view = S.readView(location.hash);
let months = [];
let formats;
let positions = [];
let timeDomain = [new Date(0), new Date(1)];
let loading; // AbortController of the positions request
const panelLoads = {}; // view → AbortController of its request
const cache = new Map(); // request key → result, for the views' level data

const map = createMap(ui.map, {
  onSelect: (position) => selectProfile(position, { show: true }),
  onBox: (box) => {
    ui.fields.bbox.value = box.join(',');
    setDrawing(false);
    submit();
  },
});

// ---------------------------------------------------------------------------------------------
// Form ⇄ query

function fillForm(q) {
  for (const [name, input] of Object.entries(ui.fields)) input.value = q[name] ?? '';
  const chosen = S.variablesOf(q);
  for (const box of ui.variables) box.checked = chosen.includes(box.value);
  ui.month.value = S.windowMonth(q) ?? '';
  if (q.depth || q.vertical || q.max_profiles) ui.advanced.open = true;
  markInvalid([]);
}

function formQuery() {
  const q = {};
  for (const [name, input] of Object.entries(ui.fields)) {
    const value = input.value.trim();
    if (value !== '') q[name] = value;
  }
  const chosen = ui.variables.filter((b) => b.checked).map((b) => b.value);
  // The service's default needs no parameter; an empty choice is sent as such, for the service to refuse.
  const isDefault = chosen.join(',') === S.DEFAULT_VARIABLES.join(',');
  if (!isDefault) q.variables = chosen.join(',');
  // Parameters the form does not know (a typo in a link, which the service names) are dropped:
  // the form is what the person now asks for.
  return q;
}

function markInvalid(errors) {
  const names = new Set(errors.map((e) => e.parameter));
  for (const [name, input] of Object.entries(ui.fields)) input.setAttribute('aria-invalid', String(names.has(name)));
  for (const box of ui.variables) box.setAttribute('aria-invalid', String(names.has('variables')));
  if (names.has('depth') || names.has('vertical') || names.has('max_profiles')) ui.advanced.open = true;
  ui.formErrors.hidden = errors.length === 0;
  ui.formErrors.replaceChildren(...(errors.length ? [el('ul', {}, errors.map((e) => el('li', {}, el('strong', {}, e.parameter), `: ${e.message}`)))] : []));
}

function pageUrl(q, v) {
  const qs = S.queryString(q);
  return `${location.pathname}${qs ? `?${qs}` : ''}${S.viewHash(v)}`;
}

function submit() {
  const next = formQuery();
  if (view.profile && !sameWindow(next, query)) view = { ...view, profile: undefined };
  query = next;
  history.pushState(null, '', pageUrl(query, view));
  load();
}

function sameWindow(a, b) {
  return S.queryString({ ...a, depth: undefined, vertical: undefined, variables: undefined }) === S.queryString({ ...b, depth: undefined, vertical: undefined, variables: undefined });
}

function saveView() {
  history.replaceState(null, '', pageUrl(query, view));
}

// ---------------------------------------------------------------------------------------------
// Loading the window

function setSummary({ state, nodes }) {
  ui.summary.dataset.state = state;
  ui.summary.replaceChildren(...nodes);
}

function colorFunction() {
  if (view.color === 'mode') {
    const scale = charts.colorScale({ type: 'ordinal', ...MODE_COLORS });
    return (d) => scale.apply(d.data_mode);
  }
  const scale = charts.colorScale(charts.timeColor(timeDomain));
  return (d) => scale.apply(new Date(d.time));
}

function drawLegend() {
  if (positions.length === 0) {
    ui.legend.replaceChildren();
    return;
  }
  const options =
    view.color === 'mode'
      ? { color: { type: 'ordinal', ...MODE_COLORS, label: 'Data mode' }, tickFormat: (d) => MODE_NAMES[d] ?? d }
      : { color: charts.timeColor(timeDomain), width: 340, ticks: 5 };
  charts.mount(ui.legend, charts.legend(options));
}

function renderShare() {
  if (formats) ui.downloads.replaceChildren(...downloadLinks(query, formats));
  const base = new URL('.', location.href).href.replace(/\/$/, '');
  ui.python.textContent = pythonSnippet(query, base);
}

async function load() {
  loading?.abort();
  for (const controller of Object.values(panelLoads)) controller?.abort();
  const controller = new AbortController();
  loading = controller;
  fillForm(query);
  renderShare();
  ui.map.dataset.state = 'loading';
  setSummary({ state: 'loading', nodes: [el('p', { class: 'lead' }, 'Loading the positions…')] });
  map.message('Loading the positions…');
  try {
    const result = await api.fetchPositions(query, controller.signal);
    if (controller.signal.aborted) return;
    positions = result.profiles;
    const times = positions.map((p) => new Date(p.time));
    const [t0, t1] = times.length ? [new Date(Math.min(...times)), new Date(Math.max(...times))] : [new Date(0), new Date(1)];
    // A single instant still needs a span for the colour ramp.
    timeDomain = +t0 === +t1 ? [new Date(+t0 - 3_600_000), new Date(+t1 + 3_600_000)] : [t0, t1];
    map.show(positions, { box: parseBox(query.bbox), color: colorFunction() });
    map.message(positions.length === 0 ? 'No profile to show' : undefined);
    drawLegend();
    setSummary(describeResult(result, { query, months }));
    ui.map.dataset.count = String(positions.length);
    ui.map.dataset.matched = String(result.matched);
    ui.map.dataset.state = 'ready';
    fillSectionFloats();
    const selected = view.profile ? positions.find((p) => p.id === view.profile) : undefined;
    if (view.profile && !selected) view = { ...view, profile: undefined };
    saveView();
    if (selected) selectProfile(selected, { show: false });
    else showProfilePlaceholder();
    showView(view.view);
  } catch (error) {
    if (error.name === 'AbortError' || controller.signal.aborted) return;
    positions = [];
    map.show([], { box: undefined, color: colorFunction() });
    map.message('No profile to show');
    drawLegend();
    ui.map.dataset.count = '0';
    ui.map.dataset.state = 'error';
    setSummary(describeError(error));
    markInvalid(error.errors ?? []);
    showProfilePlaceholder();
    for (const v of ['ts', 'section']) ui.panels[v].dataset.state = 'empty';
    ui.sectionBody.replaceChildren();
    ui.panels.ts.replaceChildren();
  }
}

// ---------------------------------------------------------------------------------------------
// Views

function showView(name) {
  view = { ...view, view: name };
  for (const tab of ui.tabs) tab.setAttribute('aria-selected', String(tab.dataset.view === name));
  for (const [key, panel] of Object.entries(ui.panels)) panel.hidden = key !== name;
  saveView();
  if (name === 'ts') loadTs();
  if (name === 'section') loadSection();
}

function panelError(panel, error) {
  panel.dataset.state = 'error';
  return el('div', { class: 'error-box' }, error.status === 400 ? `The service refused the request: ${error.errors.map((e) => `${e.parameter}: ${e.message}`).join('; ') || error.message}` : `Could not load the data: ${error.message}`);
}

/** Runs a view's request once per key (cached), cancelling that view's previous one. */
async function cachedLoad(viewName, key, request) {
  if (cache.has(key)) return cache.get(key);
  panelLoads[viewName]?.abort();
  const controller = new AbortController();
  panelLoads[viewName] = controller;
  const result = await request(controller.signal);
  cache.set(key, result);
  // Bounded: the views' data of the last few queries only.
  if (cache.size > 24) cache.delete(cache.keys().next().value);
  return result;
}

function showProfilePlaceholder() {
  const panel = ui.panels.profile;
  panel.dataset.state = 'empty';
  delete panel.dataset.platform;
  delete panel.dataset.cycle;
  panel.replaceChildren(el('p', { class: 'placeholder' }, positions.length ? 'Click a profile on the map to plot its temperature and salinity against depth.' : 'No profile to plot.'));
}

const DATA_MODES = { R: 'real time', A: 'adjusted', D: 'delayed mode' };

async function selectProfile(position, { show }) {
  view = { ...view, profile: position.id, float: position.platform_number };
  map.select(position.id);
  if (show) showView('profile');
  else saveView();
  const panel = ui.panels.profile;
  panel.dataset.state = 'loading';
  panel.replaceChildren(el('p', { class: 'loading' }, `Loading float ${position.platform_number}, cycle ${position.cycle_number}…`));
  try {
    const { profile, url } = await cachedLoad('profile', `profile|${S.queryString(query)}|${position.id}`, (signal) => api.fetchProfile(query, position, signal));
    if (view.profile !== position.id) return;
    const single = S.queryString(api.profileQuery(query, position));
    const lat = `${Math.abs(profile.latitude).toFixed(3)}°${profile.latitude >= 0 ? 'N' : 'S'}`;
    const lon = `${Math.abs(profile.longitude).toFixed(3)}°${profile.longitude >= 0 ? 'E' : 'W'}`;
    const meta = el(
      'p',
      { class: 'meta' },
      el('span', {}, 'Float ', el('strong', { class: 'platform' }, profile.platform_number)),
      el('span', {}, 'Cycle ', el('strong', { class: 'cycle' }, String(profile.cycle_number)), profile.direction === 'D' ? ' (descending)' : ''),
      el('span', {}, 'Data mode ', el('strong', {}, profile.data_mode), ` (${DATA_MODES[profile.data_mode] ?? profile.data_mode})`),
      el('span', {}, `${profile.time.slice(0, 19).replace('T', ' ')} UTC`),
      el('span', {}, `${lat} ${lon}`),
      el('span', {}, el('a', { href: `${url}&format=json` }, 'JSON'), ' · ', el('a', { href: `v1/profiles?${single}&format=csv`, download: `${profile.id.split('/').pop().replace(/\.nc$/, '')}.csv` }, 'CSV')),
    );
    const chartBox = el('div', { class: 'charts' });
    panel.replaceChildren(meta, chartBox);
    for (const chart of charts.profileCharts(profile, { width: panel.clientWidth || 800 })) {
      const holder = el('div');
      chartBox.append(holder);
      charts.mount(holder, chart);
    }
    panel.append(el('p', { class: 'caption' }, `${profile.id}, ${query.depth ? `on the levels ${query.depth}` : 'on its native levels'}, ${query.mode ?? 'standard'} QC mode.`));
    panel.dataset.platform = profile.platform_number;
    panel.dataset.cycle = String(profile.cycle_number);
    panel.dataset.state = 'ready';
  } catch (error) {
    if (error.name === 'AbortError' || view.profile !== position.id) return;
    panel.replaceChildren(panelError(panel, error));
  }
}

async function loadTs() {
  const panel = ui.panels.ts;
  if (positions.length === 0) {
    panel.dataset.state = 'empty';
    panel.replaceChildren(el('p', { class: 'placeholder' }, 'No profile in this window.'));
    return;
  }
  const key = `ts|${S.queryString(query)}`;
  if (panel.dataset.key === key && panel.dataset.state === 'ready') return;
  panel.dataset.state = 'loading';
  panel.dataset.key = key;
  panel.replaceChildren(el('p', { class: 'loading' }, 'Loading temperature and salinity…'));
  try {
    const result = await cachedLoad('ts', key, (signal) => api.fetchWindowLevels(query, signal));
    if (panel.dataset.key !== key) return;
    const { node, points } = charts.tsDiagram(result.profiles, { width: panel.clientWidth || 900, selectedId: view.profile, timeDomain });
    const shown = result.profiles.length;
    const holder = el('div');
    panel.replaceChildren(holder);
    charts.mount(holder, node);
    const of = shown < result.matched ? `the first ${shown.toLocaleString('en-US')} of ${result.matched.toLocaleString('en-US')} profiles` : `all ${shown.toLocaleString('en-US')} profiles`;
    panel.append(el('p', { class: 'caption' }, `Temperature against salinity for ${of} of the window (${points.toLocaleString('en-US')} levels with both), one curve per profile coloured by its time${view.profile ? '; the selected profile in black' : ''}.`));
    panel.dataset.state = 'ready';
  } catch (error) {
    if (error.name === 'AbortError' || panel.dataset.key !== key) return;
    panel.replaceChildren(panelError(panel, error));
  }
}

function fillSectionFloats() {
  const counts = new Map();
  for (const p of positions) counts.set(p.platform_number, (counts.get(p.platform_number) ?? 0) + 1);
  const floats = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  ui.sectionPlatform.replaceChildren(...floats.map(([wmo, n]) => el('option', { value: wmo }, `${wmo} (${n} ${n === 1 ? 'profile' : 'profiles'})`)));
  const wanted = view.float && counts.has(view.float) ? view.float : floats[0]?.[0];
  if (wanted) ui.sectionPlatform.value = wanted;
}

async function loadSection() {
  const panel = ui.panels.section;
  const body = ui.sectionBody;
  for (const b of ui.xButtons) b.setAttribute('aria-pressed', String(b.dataset.x === view.x));
  if (view.float && [...ui.sectionPlatform.options].some((o) => o.value === view.float)) ui.sectionPlatform.value = view.float;
  const platform = ui.sectionPlatform.value;
  if (!platform) {
    panel.dataset.state = 'empty';
    body.replaceChildren(el('p', { class: 'placeholder' }, 'No float in this window.'));
    return;
  }
  const key = `section|${S.queryString(query)}|${platform}`;
  panel.dataset.state = 'loading';
  panel.dataset.key = key;
  body.replaceChildren(el('p', { class: 'loading' }, `Loading float ${platform}…`));
  try {
    const result = await cachedLoad('section', key, (signal) => api.fetchSection(query, platform, signal));
    if (panel.dataset.key !== key) return;
    const profiles = result.profiles;
    if (profiles.length === 0) {
      body.replaceChildren(el('p', { class: 'placeholder' }, `Float ${platform} has no profile here.`));
      panel.dataset.state = 'empty';
      return;
    }
    const span = [Date.parse(profiles[0].time), Date.parse(profiles[profiles.length - 1].time)];
    // Cells reach halfway to the neighbours, and at most a day beyond the first and last profiles.
    const { node } = charts.section(profiles, { width: panel.clientWidth || 900, along: view.x, window: [span[0] - 86_400_000, span[1] + 86_400_000] });
    const holder = el('div');
    body.replaceChildren(holder);
    charts.mount(holder, node);
    const first = profiles[0].time.slice(0, 10);
    const last = profiles[profiles.length - 1].time.slice(0, 10);
    const km = Math.round(charts.alongTrackKm(profiles).at(-1));
    body.append(
      el(
        'p',
        { class: 'caption' },
        `Float ${platform}: ${profiles.length} ${profiles.length === 1 ? 'profile' : 'profiles'} from ${first} to ${last}, ${km.toLocaleString('en-US')} km along the track, ` +
          `temperature on the levels ${query.depth ?? api.SECTION_LEVELS} (${charts.verticalOf(profiles[0]) === 'depth' ? 'm' : 'dbar'}). ` +
          'Each cell spans halfway to the neighbouring profiles and levels; the ticks at the top mark the profiles.',
      ),
    );
    panel.dataset.platform = platform;
    panel.dataset.state = 'ready';
  } catch (error) {
    if (error.name === 'AbortError' || panel.dataset.key !== key) return;
    body.replaceChildren(panelError(panel, error));
  }
}

// ---------------------------------------------------------------------------------------------
// Events

function setDrawing(on) {
  if (on) map.startDrawing();
  else map.stopDrawing();
  ui.drawBox.setAttribute('aria-pressed', String(on));
  ui.drawBox.textContent = on ? 'Drag a box on the map… (Esc cancels)' : 'Draw on the map';
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  submit();
});
ui.month.addEventListener('change', () => {
  if (!ui.month.value) return;
  const { start, end } = S.monthWindow(ui.month.value);
  ui.fields.start.value = start;
  ui.fields.end.value = end;
  submit();
});
ui.drawBox.addEventListener('click', () => setDrawing(!map.drawing));
ui.clearBox.addEventListener('click', () => {
  ui.fields.bbox.value = '';
  setDrawing(false);
  submit();
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && map.drawing) setDrawing(false);
});
for (const button of ui.colorButtons) {
  button.addEventListener('click', () => {
    view = { ...view, color: button.dataset.color };
    for (const b of ui.colorButtons) b.setAttribute('aria-pressed', String(b === button));
    map.recolor(colorFunction());
    drawLegend();
    saveView();
  });
}
ui.resetView.addEventListener('click', () => map.fit());
for (const tab of ui.tabs) tab.addEventListener('click', () => showView(tab.dataset.view));
ui.sectionPlatform.addEventListener('change', () => {
  view = { ...view, float: ui.sectionPlatform.value };
  saveView();
  loadSection();
});
for (const button of ui.xButtons) {
  button.addEventListener('click', () => {
    view = { ...view, x: button.dataset.x };
    saveView();
    loadSection();
  });
}
ui.copyPython.addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(ui.python.textContent);
    ui.copyPython.textContent = 'Copied';
  } catch {
    // No clipboard (an insecure origin): select the text for a manual copy.
    getSelection().selectAllChildren(ui.python);
    ui.copyPython.textContent = 'Selected';
  }
  setTimeout(() => (ui.copyPython.textContent = 'Copy'), 1500);
});
window.addEventListener('popstate', () => {
  query = S.readQuery(location.search);
  view = S.readView(location.hash);
  for (const b of ui.colorButtons) b.setAttribute('aria-pressed', String(b.dataset.color === view.color));
  load();
});

// ---------------------------------------------------------------------------------------------
// Start: the built months (for the month list, the default window and the summary's words)

async function start() {
  query = S.readQuery(location.search);
  for (const b of ui.colorButtons) b.setAttribute('aria-pressed', String(b.dataset.color === view.color));
  const [builtMonths, offered] = await Promise.all([api.fetchMonths().catch(() => []), api.fetchFormats()]);
  months = builtMonths;
  formats = offered;
  ui.month.append(...months.map((m) => el('option', { value: m.month }, `${m.month} (${m.profiles.toLocaleString('en-US')} profiles)`)));
  if (!query.start && !query.end) {
    if (months.length === 0) {
      fillForm(query);
      renderShare();
      ui.map.dataset.state = 'ready';
      ui.map.dataset.count = '0';
      map.message('No month is built yet');
      setSummary({
        state: 'empty',
        nodes: [
          el('p', { class: 'lead' }, el('strong', {}, 'No month is built yet, '), 'so there is nothing to explore.'),
          el(
            'p',
            { class: 'note' },
            'Build one with ',
            el('code', {}, 'npm run build-index -- --months YYYY-MM'),
            ' (or ',
            el('code', {}, 'POST /admin/builds'),
            ' with the admin token), then reload this page. ',
            el('code', {}, 'npm run demo'),
            ' builds 2024-01 to 2024-03 of its own data.',
          ),
        ],
      });
      return;
    }
    // The first built month: on the demo, its January.
    query = { ...query, ...S.monthWindow([...months].map((m) => m.month).sort()[0]) };
    history.replaceState(null, '', pageUrl(query, view));
  }
  await load();
}

start();
