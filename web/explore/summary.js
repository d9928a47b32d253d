// What a result means, in words: how many profiles matched, whether the cap cut them, which months
// have no index, and, when nothing matched, why.

const count = (n) => n.toLocaleString('en-US');
const plural = (n, one, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** Builds an element: `el('p', { class: 'note' }, 'text', child, ...)`. Text is always text. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) node.append(child);
  }
  return node;
}

/** An ISO instant as the API reads it: UTC when it has no offset. */
function instantMs(text) {
  if (!text) return NaN;
  const t = /[T ]\d{2}:\d{2}/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  return Date.parse(t);
}

/** `YYYY-MM` of each month the window `[start, end)` touches. */
export function monthsOfWindow(start, end) {
  const a = instantMs(start);
  const b = instantMs(end);
  if (!(b > a)) return [];
  const months = [];
  const d = new Date(a);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth();
  while (Date.UTC(y, m, 1) < b && months.length < 1200) {
    months.push(`${y}-${String(m + 1).padStart(2, '0')}`);
    m += 1;
    if (m === 12) {
      m = 0;
      y += 1;
    }
  }
  return months;
}

function listWords(items) {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  if (items.length > 6) return `${items.slice(0, 5).join(', ')} and ${items.length - 5} more`;
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function builtMonthsWords(months) {
  if (months.length === 0) return ['The service has no built month yet: build one with ', el('code', {}, 'npm run build-index -- --months YYYY-MM'), ' or ', el('code', {}, 'POST /admin/builds'), '.'];
  const names = months.map((m) => m.month).sort();
  const span = names.length === 1 ? names[0] : `${names.length} months, ${names[0]} to ${names[names.length - 1]}`;
  return `Built on this service: ${span}.`;
}

/** The query's filters in words: "in the box …, of float …, in standard QC mode". */
function filtersWords(query) {
  const parts = [];
  if (query.bbox) {
    const b = query.bbox.split(',').map(Number);
    parts.push(`in the box ${query.bbox}${b.length === 4 && b[0] > b[2] ? ' (across the antimeridian)' : ''}`);
  }
  if (query.platform) {
    const floats = query.platform.split(',');
    parts.push(`of ${floats.length === 1 ? 'float' : 'floats'} ${listWords(floats)}`);
  }
  parts.push(`in ${query.mode ?? 'standard'} QC mode`);
  return parts.join(', ');
}

function windowWords(query) {
  return `from ${query.start} to ${query.end} (end excluded)`;
}

/**
 * The summary of a positions result: `{ state, nodes }`, state one of ready (all shown), warn
 * (capped or months missing) and empty (nothing matched).
 */
export function describeResult(result, { query, months }) {
  const { matched, truncated, monthsMissing } = result;
  const shown = result.profiles.length;
  const windowMonths = monthsOfWindow(query.start, query.end);
  const nodes = [];
  if (matched === 0) {
    const allMissing = windowMonths.length > 0 && monthsMissing.length >= windowMonths.length;
    if (allMissing) {
      nodes.push(el('p', { class: 'lead' }, el('strong', {}, 'No profile to show: '), `no month of this window has a built index (${listWords(monthsMissing)}).`));
      nodes.push(el('p', { class: 'note' }, builtMonthsWords(months), ' Choose a window in a built month, or build the missing ones.'));
    } else {
      nodes.push(el('p', { class: 'lead' }, el('strong', {}, 'No profile matched '), `${windowWords(query)}, ${filtersWords(query)}.`));
      const hints = [];
      if (monthsMissing.length > 0) hints.push(`${listWords(monthsMissing)} ${monthsMissing.length === 1 ? 'has' : 'have'} no built index, so only the other months were searched.`);
      if (query.platform) hints.push(`The ${query.platform.includes(',') ? 'floats have' : 'float has'} no profile there: check the number, or widen the window.`);
      if (query.bbox) hints.push('No profile lies inside the box: draw a larger one, or clear it.');
      if (query.mode === 'research') hints.push('Research mode keeps delayed-mode (D) profiles with good QC only: standard mode keeps more.');
      if (hints.length === 0) hints.push('The built months hold no profile in this window.');
      for (const hint of hints) nodes.push(el('p', { class: 'note' }, hint));
      nodes.push(el('p', { class: 'note' }, builtMonthsWords(months)));
    }
    return { state: 'empty', nodes };
  }

  nodes.push(
    el(
      'p',
      { class: 'lead' },
      el('strong', {}, `${plural(matched, 'profile')}`),
      ` ${matched === 1 ? 'matches' : 'match'} ${windowWords(query)}, ${filtersWords(query)}. `,
      shown === matched ? (matched === 1 ? 'It is on the map.' : 'All are on the map.') : ['The map shows the first ', el('strong', {}, count(shown)), '.'],
    ),
  );
  let state = 'ready';
  if (truncated || shown < matched) {
    state = 'warn';
    nodes.push(el('p', { class: 'note' }, `The result is capped by max_profiles${query.max_profiles ? `=${query.max_profiles}` : ' (the service default)'}: narrow the window or the box, or raise max_profiles, to see all ${count(matched)}.`));
  }
  if (monthsMissing.length > 0) {
    state = 'warn';
    nodes.push(el('p', { class: 'note' }, `No index is built for ${listWords(monthsMissing)}: ${monthsMissing.length === 1 ? 'its' : 'their'} profiles are not included. `, builtMonthsWords(months)));
  }
  return { state, nodes };
}

/** The summary of a failed request: the service's problem, each bad parameter named. */
export function describeError(error) {
  const nodes = [];
  if (error.status === 400 || error.status === 422) {
    nodes.push(el('p', { class: 'lead' }, el('strong', {}, 'The service refused this query. '), 'Correct the fields marked in the form.'));
    if (error.errors.length > 0) {
      nodes.push(el('ul', { class: 'note' }, error.errors.map((e) => el('li', {}, el('code', {}, e.parameter), `: ${e.message}`))));
    } else {
      nodes.push(el('p', { class: 'note' }, error.message));
    }
  } else if (error.status === 0) {
    nodes.push(el('p', { class: 'lead' }, el('strong', {}, 'The service could not be reached. '), 'Check that it is running, then try again.'));
  } else {
    nodes.push(el('p', { class: 'lead' }, el('strong', {}, `The service could not answer (HTTP ${error.status}). `), error.message));
    if (error.status === 429 || error.status === 503) nodes.push(el('p', { class: 'note' }, 'It is busy: try again in a few seconds.'));
  }
  if (error.requestId) nodes.push(el('p', { class: 'note' }, `Request id ${error.requestId}.`));
  return { state: 'error', nodes };
}
