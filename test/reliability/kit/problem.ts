/**
 * Checks that an answer is a clear RFC 9457 problem document: the right status family, the
 * `application/problem+json` media type, a body whose `status` matches the HTTP status, a
 * non-empty `detail`, and for a 400 an `errors` list naming parameters.
 *
 * Returns a list of what is wrong (empty when the answer is fine) rather than throwing, so a
 * generated batch can report every bad case at once.
 */

export interface ProblemLike {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  detail?: unknown;
  errors?: unknown;
}

export interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

export interface ProblemExpectation {
  /** Exact status, or a predicate (default: any 4xx). */
  status?: number | ((status: number) => boolean);
  /** Parameters that must be named in `errors` (400 only). */
  parameters?: string[];
}

export function problemIssues(answer: Answer, expect: ProblemExpectation = {}): string[] {
  const issues: string[] = [];
  const statusOk =
    typeof expect.status === 'number'
      ? answer.status === expect.status
      : expect.status
        ? expect.status(answer.status)
        : answer.status >= 400 && answer.status < 500;
  if (!statusOk) issues.push(`status ${answer.status}`);
  // Client input must never cause a 5xx; a test that expects one (a fault) says so explicitly.
  if (answer.status >= 500 && expect.status === undefined) issues.push(`a ${answer.status}: never acceptable for client input`);
  if (!answer.contentType?.startsWith('application/problem+json')) issues.push(`content-type ${answer.contentType ?? '(none)'}`);
  let body: ProblemLike;
  try {
    body = JSON.parse(answer.body) as ProblemLike;
  } catch {
    issues.push(`body is not JSON: ${answer.body.slice(0, 120)}`);
    return issues;
  }
  if (body.status !== answer.status) issues.push(`body.status ${String(body.status)} ≠ ${answer.status}`);
  if (typeof body.title !== 'string' || body.title === '') issues.push('no title');
  if (typeof body.detail !== 'string' || body.detail.trim() === '') issues.push('no detail');
  if (answer.status === 400) {
    const errors = body.errors;
    if (!Array.isArray(errors) || errors.length === 0) {
      issues.push('a 400 without an errors list');
    } else {
      for (const e of errors as { parameter?: unknown; message?: unknown }[]) {
        if (typeof e?.parameter !== 'string' || e.parameter === '' || typeof e.message !== 'string' || e.message === '') {
          issues.push(`malformed errors entry ${JSON.stringify(e)}`);
        }
      }
      const named = (errors as { parameter?: string }[]).map((e) => e.parameter ?? '');
      // A member of an array parameter is named `months.0`: that names `months`.
      const has = (p: string): boolean => named.some((n) => n === p || n.startsWith(`${p}.`));
      for (const p of expect.parameters ?? []) if (!has(p)) issues.push(`errors do not name ${p} (named: ${named.join(', ')})`);
    }
  }
  // A problem body should never leak internals.
  if (/\bat [\w.<>]+ \(|node_modules|\/work\/|ENOENT|TypeError|stack/i.test(typeof body.detail === 'string' ? body.detail : '')) {
    issues.push(`detail leaks internals: ${String(body.detail).slice(0, 160)}`);
  }
  return issues;
}

/** Throws with every issue when the answer is not the expected problem. */
export function assertProblem(answer: Answer, expect: ProblemExpectation = {}, label = ''): ProblemLike {
  const issues = problemIssues(answer, expect);
  if (issues.length > 0) {
    throw new Error(`${label ? `${label}: ` : ''}not a clear problem answer (${issues.join('; ')}); body: ${answer.body.slice(0, 300)}`);
  }
  return JSON.parse(answer.body) as ProblemLike;
}

/** An `app.inject` or fetch response as an Answer. */
export function answerOf(response: { statusCode: number; headers: Record<string, unknown>; body: string }): Answer {
  const ct = response.headers['content-type'];
  return { status: response.statusCode, contentType: typeof ct === 'string' ? ct : undefined, body: response.body };
}
