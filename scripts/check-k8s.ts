/**
 * Renders the Kubernetes manifests (deploy/k8s) with `kubectl kustomize` and checks them offline:
 *
 *   1. schemas: every object against the Kubernetes OpenAPI schemas bundled in the
 *      `kubernetes-models` package (types, required fields, enums, formats);
 *   2. strict fields: the same objects type-checked against that package's TypeScript types, so
 *      an unknown or misspelt field (`readinesProbe`) is an error, as `kubeconform -strict` would
 *      say, and never silently dropped by the API server;
 *   3. the service's own rules: every variable given to a pod is one the service reads
 *      (src/config.ts) and parses there; probes on /readyz and /healthz; resources set; Service,
 *      HPA and PDB aimed at the Deployment; the build commands are the image's and their
 *      arguments parse (src/cli/build-index.ts), and the Indexed Job's slices cover its months
 *      exactly once; Secrets and ConfigMaps referenced exist.
 *
 * Nothing is downloaded: kubectl renders locally, the schemas and types are in node_modules.
 *
 *     npm run check:k8s                      # every kustomization under deploy/k8s
 *     npx tsx scripts/check-k8s.ts deploy/k8s/overlays/example
 *
 * Exit status: 0 when every kustomization renders and passes, 1 with the problems listed, 2 when
 * kubectl is missing or its kustomize too old (the message says which).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { monthsFromArgs, UsageError, type BuildRequest } from '../src/cli/build-index.js';
import { CONFIG_VARIABLES, ConfigError, parseConfig } from '../src/config.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
export const K8S_DIR = join(REPO_ROOT, 'deploy', 'k8s');

/** The image's build command (Dockerfile: dist/ is src/ compiled) and its source. */
const BUILD_COMMAND = ['node', 'dist/src/cli/build-index.js'];
const BUILD_SOURCE = 'src/cli/build-index.ts';
/** Set by Kubernetes in Indexed Jobs; used in arguments only, never read by the service. */
const KUBERNETES_VARIABLES = new Set(['JOB_COMPLETION_INDEX']);
/** kustomize v3 was the first to load directories from `resources:` (the overlays do). */
const MIN_KUSTOMIZE_MAJOR = 3;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface Rendered {
  /** The kustomization directory, relative to the repository. */
  dir: string;
  objects: K8sObject[];
}

// ---- kubectl ---------------------------------------------------------------------------------

export type Kubectl = { ok: true; path: string; version: string; kustomize: string } | { ok: false; reason: string };

/** Finds kubectl and checks that its kustomize can render the overlays. */
export function findKubectl(): Kubectl {
  let text: string;
  try {
    text = execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' ? 'kubectl is not installed (Debian: apt-get install kubectl, or kubernetes-client)' : `kubectl version failed: ${(error as Error).message}` };
  }
  const version = /Client Version: (?:version\.Info\{.*?GitVersion:"([^"]+)"|(v\S+))/.exec(text);
  const kustomize = /Kustomize Version: (v?\S+)/.exec(text)?.[1];
  const clientVersion = version?.[1] ?? version?.[2] ?? 'unknown';
  if (!kustomize) {
    return { ok: false, reason: `kubectl ${clientVersion} does not say its kustomize version; it embeds kustomize v2.0.3 (kubectl < 1.21), too old for directories in resources:` };
  }
  const major = Number(/^v?(\d+)/.exec(kustomize)?.[1] ?? 0);
  if (major < MIN_KUSTOMIZE_MAJOR) return { ok: false, reason: `kubectl ${clientVersion} embeds kustomize ${kustomize}: v${MIN_KUSTOMIZE_MAJOR} or later is needed` };
  return { ok: true, path: 'kubectl', version: clientVersion, kustomize };
}

/** Every directory under deploy/k8s that holds a kustomization.yaml. */
export function kustomizations(base = K8S_DIR): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(base, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === 'kustomization.yaml') out.push(relative(REPO_ROOT, entry.parentPath));
  }
  return out.sort();
}

/** `kubectl kustomize <dir>`, parsed. Throws with kubectl's message when it cannot render. */
export function render(dir: string): Rendered {
  let text: string;
  try {
    text = execFileSync('kubectl', ['kustomize', resolve(REPO_ROOT, dir)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`kubectl kustomize ${dir} failed: ${stderr.trim() || (error as Error).message}`);
  }
  return { dir, objects: parseManifests(text) };
}

export function parseManifests(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`unparseable YAML: ${doc.errors[0].message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value !== null) objects.push(value);
  }
  return objects;
}

const label = (o: K8sObject): string => `${o.kind}/${o.metadata?.name ?? '(no name)'}`;

// ---- 1. schemas ------------------------------------------------------------------------------

/** The kubernetes-models module of an object: `kubernetes-models/<group>/<version>/<Kind>`. */
function modelPath(o: K8sObject): string {
  return `kubernetes-models/${o.apiVersion}/${o.kind}`;
}

export async function checkSchemas(objects: readonly K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const o of objects) {
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
      problems.push(`${label(o)}: no apiVersion or kind`);
      continue;
    }
    let Model: (new (data: unknown) => { validate(): void }) | undefined;
    try {
      const mod = (await import(modelPath(o))) as Record<string, new (data: unknown) => { validate(): void }>;
      Model = mod[o.kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push(`${label(o)}: no schema for ${o.apiVersion} ${o.kind} (not a built-in Kubernetes kind of this version)`);
      continue;
    }
    const { apiVersion: _a, kind: _k, ...rest } = o;
    try {
      new Model(rest).validate();
    } catch (error) {
      problems.push(`${label(o)}: ${(error as Error).message}`);
    }
  }
  return problems;
}

// ---- 2. strict fields ------------------------------------------------------------------------

/** A value as a one-line TypeScript literal, identifier keys unquoted (so errors read `'readinesProbe'`). */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const key = (k: string): string => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
    return `{${Object.entries(value).map(([k, v]) => `${key(k)}:${literal(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Type-checks the objects as literals of the package's interfaces (`IDeployment`, ...): excess
 * property checks make any field the API does not have an error, with TypeScript's "did you
 * mean" when it is a misspelling.
 */
export function checkFields(objects: readonly K8sObject[]): string[] {
  const file = join(REPO_ROOT, '__k8s_manifest_check__.ts');
  const lines: string[] = [];
  const names = new Map<number, string>();
  objects.forEach((o, i) => {
    lines.push(`import type { I${o.kind} as T${i} } from '${modelPath(o)}';`);
    names.set(i, label(o));
  });
  objects.forEach((o, i) => {
    lines.push(`export const o${i}: T${i} = ${literal(o)};`);
  });
  const text = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, language, ...rest) => (resolve(name) === file ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, ...rest));
  host.fileExists = (name) => resolve(name) === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const which = line >= objects.length ? names.get(line - objects.length) : undefined;
    return `${which ?? 'manifests'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

// ---- 3. the service's own rules --------------------------------------------------------------

interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; fieldRef?: unknown } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path?: string; port?: string | number } };
  livenessProbe?: { httpGet?: { path?: string; port?: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

interface PodSpec {
  containers: Container[];
}

interface Workload {
  object: K8sObject;
  pod: PodSpec;
  labels: Record<string, string>;
}

/** The pod template of a Deployment, Job or CronJob. */
function workload(o: K8sObject): Workload | undefined {
  const spec = o.spec as Record<string, any> | undefined;
  const template =
    o.kind === 'Deployment' || o.kind === 'Job' ? spec?.template : o.kind === 'CronJob' ? spec?.jobTemplate?.spec?.template : undefined;
  if (!template?.spec) return undefined;
  return { object: o, pod: template.spec as PodSpec, labels: (template.metadata?.labels ?? {}) as Record<string, string> };
}

function decode(o: K8sObject): Record<string, string> {
  const data = (o.data ?? {}) as Record<string, string>;
  if (o.kind !== 'Secret') return { ...data };
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export interface RuleOptions {
  /** The render holds everything the pods reference (Secrets, ConfigMaps): check references. */
  complete: boolean;
}

/** The environment a container gets, as far as the render says (Secrets without data: placeholders). */
function containerEnv(c: Container, byName: Map<string, K8sObject>, problems: string[], where: string, complete: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const ref = from.configMapRef?.name ?? from.secretRef?.name;
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const target = ref ? byName.get(`${kind}/${ref}`) : undefined;
    if (!target) {
      if (complete) problems.push(`${where}: envFrom names ${kind} ${ref}, which is not in the manifests`);
      continue;
    }
    Object.assign(env, decode(target));
  }
  for (const e of c.env ?? []) {
    const secret = e.valueFrom?.secretKeyRef;
    if (secret) {
      const target = byName.get(`Secret/${secret.name}`);
      if (target) {
        const data = decode(target);
        if (!(secret.key in data)) problems.push(`${where}: ${e.name} refers to key ${secret.key} missing from Secret ${secret.name}`);
        else env[e.name] = data[secret.key];
      } else if (complete) {
        problems.push(`${where}: ${e.name} refers to Secret ${secret.name}, which is not in the manifests`);
      } else {
        env[e.name] = 'placeholder';
      }
    } else if (e.value !== undefined) {
      env[e.name] = e.value;
    }
  }
  return env;
}

/** `$(NAME)` in arguments, replaced as Kubernetes does from the container's environment. */
function expand(args: readonly string[], values: Record<string, string>): string[] {
  return args.map((a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => values[name] ?? whole));
}

function parsedBuild(args: readonly string[], where: string, problems: string[]): BuildRequest | undefined {
  try {
    const request = monthsFromArgs(args);
    if (request === 'help') {
      problems.push(`${where}: the arguments ask for --help`);
      return undefined;
    }
    return request;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    problems.push(`${where}: build-index refuses ${JSON.stringify(args)}: ${error.message}`);
    return undefined;
  }
}

function checkBuildCommand(w: Workload, c: Container, where: string, problems: string[]): void {
  if (JSON.stringify(c.command) !== JSON.stringify(BUILD_COMMAND)) {
    problems.push(`${where}: command ${JSON.stringify(c.command)} is not the image's build command ${JSON.stringify(BUILD_COMMAND)}`);
    return;
  }
  if (!existsSync(join(REPO_ROOT, BUILD_SOURCE))) problems.push(`${where}: ${BUILD_SOURCE} (compiled to ${BUILD_COMMAND[1]}) does not exist`);
  const args = c.args ?? [];
  const spec = w.object.spec as Record<string, any>;
  if (w.object.kind === 'Job' && spec.completionMode === 'Indexed') {
    const completions = Number(spec.completions);
    if (!args.some((a) => a.includes('$(JOB_COMPLETION_INDEX)'))) problems.push(`${where}: an Indexed Job whose arguments do not use $(JOB_COMPLETION_INDEX)`);
    const unsliced = args.filter((a, i) => a !== '--slice' && args[i - 1] !== '--slice');
    const whole = parsedBuild(unsliced, `${where} (without --slice)`, problems)?.months;
    const slices: string[][] = [];
    for (let index = 0; index < completions; index++) {
      const request = parsedBuild(expand(args, { JOB_COMPLETION_INDEX: String(index) }), `${where} (completion ${index})`, problems);
      if (!request) return;
      if (!request.slice) {
        problems.push(`${where}: an Indexed Job without --slice: every completion would build every month`);
        return;
      }
      if (request.slice.count !== completions) {
        problems.push(`${where}: --slice .../${request.slice.count} but completions is ${completions}: ${request.slice.count > completions ? 'some months are never built' : 'some completions fail'}`);
        return;
      }
      slices.push(request.months);
    }
    const union = slices.flat().sort();
    if (whole && JSON.stringify(union) !== JSON.stringify(whole)) problems.push(`${where}: the slices do not cover the range exactly once`);
  } else {
    parsedBuild(args, where, problems);
  }
}

export function checkRules(objects: readonly K8sObject[], options: RuleOptions): string[] {
  const problems: string[] = [];
  const byName = new Map(objects.map((o) => [`${o.kind}/${o.metadata?.name}`, o]));
  const workloads = objects.map(workload).filter((w): w is Workload => w !== undefined);
  const deployments = workloads.filter((w) => w.object.kind === 'Deployment');
  const known = new Set(CONFIG_VARIABLES);

  for (const cm of objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret')) {
    for (const key of Object.keys(decode(cm))) {
      if (!known.has(key)) problems.push(`${label(cm)}: ${key} is not a variable the service reads (src/config.ts)`);
    }
  }

  const images = new Set<string>();
  for (const w of workloads) {
    for (const c of w.pod.containers ?? []) {
      const where = `${label(w.object)} container ${c.name}`;
      if (c.image) images.add(c.image);
      for (const e of c.env ?? []) {
        if (!known.has(e.name) && !KUBERNETES_VARIABLES.has(e.name)) problems.push(`${where}: ${e.name} is not a variable the service reads (src/config.ts)`);
      }
      const env = containerEnv(c, byName, problems, where, options.complete);
      const serviceEnv = Object.fromEntries(Object.entries(env).filter(([k]) => known.has(k)));
      try {
        parseConfig(serviceEnv);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems.push(`${where}: the service would refuse this configuration: ${error.message.replace(/\s+/g, ' ')}`);
      }
      const requests = c.resources?.requests ?? {};
      const limits = c.resources?.limits ?? {};
      if (!requests.memory || !requests.cpu) problems.push(`${where}: resources.requests needs memory and cpu`);
      if (!limits.memory) problems.push(`${where}: resources.limits needs memory`);

      if (w.object.kind === 'Deployment') {
        if (c.command !== undefined) problems.push(`${where}: the API runs the image's own command (node dist/src/main.js), not ${JSON.stringify(c.command)}`);
        const port = Number(env.PORT ?? 8080);
        const portNames = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
        if (![...portNames.values()].includes(port)) problems.push(`${where}: no containerPort ${port} (PORT)`);
        for (const [probe, path] of [['readinessProbe', '/readyz'], ['livenessProbe', '/healthz']] as const) {
          const get = c[probe]?.httpGet;
          if (get?.path !== path) problems.push(`${where}: ${probe} must GET ${path} (got ${get?.path ?? 'none'})`);
          const target = typeof get?.port === 'string' ? portNames.get(get.port) : get?.port;
          if (get && target !== port) problems.push(`${where}: ${probe} port ${String(get.port)} is not the service's port ${port}`);
        }
      } else {
        checkBuildCommand(w, c, where, problems);
      }
    }
  }
  if (images.size > 1) problems.push(`workloads run different images: ${[...images].join(', ')} (an overlay's images: entry is missing somewhere)`);

  for (const o of objects) {
    const spec = o.spec as Record<string, any> | undefined;
    if (o.kind === 'Service') {
      const target = deployments.find((d) => selects(spec?.selector, d.labels));
      if (!target) {
        problems.push(`${label(o)}: its selector matches no Deployment's pods`);
        continue;
      }
      const ports = new Set(target.pod.containers.flatMap((c) => (c.ports ?? []).flatMap((p) => [p.name, p.containerPort])));
      for (const p of spec?.ports ?? []) if (!ports.has(p.targetPort)) problems.push(`${label(o)}: targetPort ${p.targetPort} is not a port of ${label(target.object)}`);
    }
    if (o.kind === 'HorizontalPodAutoscaler') {
      const ref = spec?.scaleTargetRef;
      if (!deployments.some((d) => ref?.kind === 'Deployment' && d.object.metadata.name === ref?.name)) problems.push(`${label(o)}: scaleTargetRef ${ref?.kind}/${ref?.name} is not in the manifests`);
    }
    if (o.kind === 'PodDisruptionBudget' && !deployments.some((d) => selects(spec?.selector?.matchLabels, d.labels))) {
      problems.push(`${label(o)}: its selector matches no Deployment's pods`);
    }
    if (o.kind === 'Deployment' && !selects(spec?.selector?.matchLabels, workload(o)?.labels ?? {})) {
      problems.push(`${label(o)}: spec.selector does not match the pod template's labels`);
    }
  }
  return problems;
}

// ---- all together ----------------------------------------------------------------------------

export interface CheckReport {
  rendered: Rendered[];
  problems: string[];
}

/** Renders and checks the given kustomizations (default: all of deploy/k8s). kubectl must be there. */
export async function checkManifests(dirs: readonly string[] = kustomizations()): Promise<CheckReport> {
  const rendered: Rendered[] = [];
  const problems: string[] = [];
  for (const dir of dirs) {
    let r: Rendered;
    try {
      r = render(dir);
    } catch (error) {
      problems.push((error as Error).message);
      continue;
    }
    rendered.push(r);
    // A kustomization that provides Secrets is a deployable whole; a base or a fragment is not.
    const complete = r.objects.some((o) => o.kind === 'Secret');
    const found = [...(await checkSchemas(r.objects)), ...checkFields(r.objects), ...checkRules(r.objects, { complete })];
    problems.push(...found.map((p) => `${dir}: ${p}`));
  }
  return { rendered, problems };
}

async function main(): Promise<number> {
  const kubectl = findKubectl();
  if (!kubectl.ok) {
    process.stderr.write(`check-k8s: ${kubectl.reason}\n`);
    return 2;
  }
  const dirs = process.argv.length > 2 ? process.argv.slice(2).map((d) => relative(REPO_ROOT, resolve(d))) : kustomizations();
  const { rendered, problems } = await checkManifests(dirs);
  for (const r of rendered) {
    process.stdout.write(`check-k8s: ${r.dir}: ${r.objects.length} objects (${r.objects.map(label).join(', ')})\n`);
  }
  if (problems.length > 0) {
    process.stderr.write(`check-k8s: ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  process.stdout.write(`check-k8s: ${rendered.length} kustomization(s) rendered with kubectl ${kubectl.version} (kustomize ${kubectl.kustomize}): schemas, fields and rules OK\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`check-k8s: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
