/**
 * The benchmark's report: every figure with its target, as a Markdown table (printed) and as
 * JSON with the machine and the commit (`bench/results/latest.json`).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname } from 'node:path';

/** A figure: a number (NaN when the phase did not run or failed) with its unit and target. */
export interface Figure {
  key: string;
  label: string;
  value: number;
  unit: string;
  /** Decimals shown in the table. */
  digits?: number;
  target?: { op: '<=' | '>='; value: number };
  /** Phase that produces it (for --only and for the quick mode's "every phase produced numbers"). */
  phase: string;
  note?: string;
}

export function met(f: Figure): boolean | undefined {
  if (!f.target) return undefined;
  if (!Number.isFinite(f.value)) return false;
  return f.target.op === '<=' ? f.value <= f.target.value : f.value >= f.target.value;
}

function formatNumber(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function formatTarget(f: Figure): string {
  if (!f.target) return '';
  return `${f.target.op === '<=' ? '≤' : '≥'} ${formatNumber(f.target.value, f.target.value % 1 === 0 ? 0 : 1)} ${f.unit}`.trim();
}

export function markdownTable(figures: readonly Figure[]): string {
  const lines = ['| figure | value | target | met? |', '|---|---:|---|:---:|'];
  for (const f of figures) {
    const m = met(f);
    const value = `${formatNumber(f.value, f.digits)} ${f.unit}`.trim();
    const label = f.note ? `${f.label} (${f.note})` : f.label;
    lines.push(`| ${label} | ${value} | ${formatTarget(f)} | ${m === undefined ? '' : m ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}

export interface MachineInfo {
  platform: string;
  release: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  /** 1, 5 and 15 minute load averages (other work on the machine skews the timings). */
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    node: process.version,
    loadAverage: os.loadavg(),
  };
}

export function gitInfo(cwd: string): { commit: string | null; dirty: boolean | null } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** Writes JSON atomically (a reader never sees half a file). */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, path);
}
