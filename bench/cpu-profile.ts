/**
 * Where the time goes in a `--cpu-prof` profile: self and inclusive time per function, and self
 * time per area (a src/ module, an npm package, node internals, GC, idle).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './generate.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  location: string;
  selfMs: number;
  selfPercent: number;
  totalMs: number;
  totalPercent: number;
}

export interface CpuSummary {
  files: string[];
  /** Sampled time, idle excluded. */
  totalMs: number;
  idleMs: number;
  topFunctions: FunctionTime[];
  /** By inclusive time (callers that contain the hot paths). */
  topInclusive: FunctionTime[];
  areas: { area: string; selfMs: number; selfPercent: number }[];
}

/** A repo-relative path; the transpiled tree (compile.ts) maps back to the TypeScript file. */
function repoPath(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const m = /\/bench\/\.cache\/js-[0-9a-f]+\/(.*)\.js$/.exec(path);
  return m ? `${m[1]}.ts` : path.replace(`${REPO_ROOT}/`, '');
}

function location(cf: CallFrame): string {
  if (!cf.url) return '';
  return `${repoPath(cf.url)}:${cf.lineNumber + 1}`;
}

function areaOf(cf: CallFrame): string {
  const name = cf.functionName;
  if (name === '(garbage collector)' || name === '(idle)' || name === '(program)' || name === '(root)') return name;
  const url = cf.url;
  if (url === '') return '(native / builtins)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm: ${nm[1]}`;
  const rel = repoPath(url);
  const m = /^(src\/[^/]+|routes|schemas|bench|test)\b/.exec(rel);
  return m ? m[1] : rel;
}

export async function summarizeCpuProfiles(dir: string, top = 25): Promise<CpuSummary> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  const self = new Map<string, { name: string; location: string; us: number }>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const keyOf = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'}@${location(n.callFrame)}`;
    for (let i = 0; i < profile.samples.length; i++) {
      const us = profile.timeDeltas[i] ?? 0;
      const node = byId.get(profile.samples[i]);
      if (!node) continue;
      if (node.callFrame.functionName === '(idle)') {
        idleUs += us;
        continue;
      }
      // The profiler's own start-up (Profiler.start dispatch) is not the app's time.
      let own = false;
      for (let id: number | undefined = node.id; id !== undefined && !own; id = parent.get(id)) {
        own = byId.get(id)!.callFrame.functionName === 'startPhaseProfile';
      }
      if (own) continue;
      totalUs += us;
      const key = keyOf(node);
      const entry = self.get(key) ?? { name: node.callFrame.functionName || '(anonymous)', location: location(node.callFrame), us: 0 };
      entry.us += us;
      self.set(key, entry);
      const area = areaOf(node.callFrame);
      areas.set(area, (areas.get(area) ?? 0) + us);
      const seen = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
        const n = byId.get(id)!;
        const k = keyOf(n);
        if (seen.has(k)) continue;
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + us);
      }
    }
  }
  const pct = (us: number): number => (totalUs > 0 ? (100 * us) / totalUs : 0);
  const fn = (key: string, name: string, loc: string, selfUs: number): FunctionTime => ({
    name,
    location: loc,
    selfMs: selfUs / 1000,
    selfPercent: pct(selfUs),
    totalMs: (inclusive.get(key) ?? 0) / 1000,
    totalPercent: pct(inclusive.get(key) ?? 0),
  });
  const topFunctions = [...self.entries()].sort((a, b) => b[1].us - a[1].us).slice(0, top).map(([k, e]) => fn(k, e.name, e.location, e.us));
  const topInclusive = [...inclusive.entries()]
    .filter(([k]) => !k.startsWith('(root)') && !k.startsWith('(program)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k]) => {
      const at = k.lastIndexOf('@');
      return fn(k, k.slice(0, at), k.slice(at + 1), self.get(k)?.us ?? 0);
    });
  return {
    files,
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    topFunctions,
    topInclusive,
    areas: [...areas.entries()].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, selfMs: us / 1000, selfPercent: pct(us) })),
  };
}
