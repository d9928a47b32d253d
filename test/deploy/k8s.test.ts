/**
 * The Kubernetes manifests (deploy/k8s): every kustomization renders with `kubectl kustomize` and
 * passes the offline checks of scripts/check-k8s.ts (schemas, strict fields, the service's rules);
 * the figures they are sized from are the benchmark's; and each check catches what it is for.
 * The rendering part skips, saying why, where kubectl (or a recent enough kustomize) is missing;
 * the checks themselves run on the plain files everywhere.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkFields, checkManifests, checkRules, checkSchemas, findKubectl, K8S_DIR, kustomizations, parseManifests, REPO_ROOT, type K8sObject } from '../../scripts/check-k8s.js';

const MiB = 1024 * 1024;

function bytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)?$/.exec(quantity);
  assert.ok(m, `a memory quantity: ${quantity}`);
  const units: Record<string, number> = { Ki: 1024, Mi: MiB, Gi: 1024 * MiB, '': 1 };
  return Number(m[1]) * units[m[2] ?? ''];
}

async function file(name: string): Promise<K8sObject[]> {
  return parseManifests(await readFile(join(K8S_DIR, name), 'utf8'));
}

const clone = <T>(value: T): T => structuredClone(value);
type Any = Record<string, any>;

test('every kustomization renders and passes the schema, field and rule checks', async (t) => {
  const kubectl = findKubectl();
  if (!kubectl.ok) {
    t.skip(`cannot render the manifests here: ${kubectl.reason}`);
    return;
  }
  const dirs = kustomizations();
  assert.deepEqual(dirs, ['deploy/k8s/backfill', 'deploy/k8s/base', 'deploy/k8s/overlays/example', 'deploy/k8s/overlays/example-backfill']);
  const { rendered, problems } = await checkManifests(dirs);
  assert.deepEqual(problems, []);
  const kinds = (dir: string): string[] => rendered.find((r) => r.dir === dir)!.objects.map((o) => o.kind).sort();
  assert.deepEqual(kinds('deploy/k8s/overlays/example'), ['ConfigMap', 'CronJob', 'Deployment', 'HorizontalPodAutoscaler', 'Namespace', 'PodDisruptionBudget', 'Secret', 'Secret', 'Service']);
  assert.deepEqual(kinds('deploy/k8s/overlays/example-backfill'), [...kinds('deploy/k8s/overlays/example'), 'Job'].sort());

  const all = rendered.find((r) => r.dir === 'deploy/k8s/overlays/example-backfill')!.objects as Any[];
  assert.ok(all.every((o) => o.kind === 'Namespace' || o.metadata.namespace === 'argo'), 'everything in the overlay namespace');
  const config = all.find((o) => o.kind === 'ConfigMap')!;
  assert.equal(config.data.ARGO_GDAC, 's3://argo-gdac-sandbox/pub', 'the overlay merges its settings over the base');
  assert.equal(config.data.ARGO_DOWNLOAD_WORKERS, '8', 'and keeps the base ones');
  const deployment = all.find((o) => o.kind === 'Deployment')!;
  const pod = deployment.spec.template.spec;
  assert.equal(pod.containers[0].image, 'registry.example.org/argo/argo-profiles-service:0.1.0');
  assert.equal(pod.containers[0].envFrom[0].configMapRef.name, config.metadata.name, 'the generated (hashed) name is referenced');
  const job = all.find((o) => o.kind === 'Job')!;
  assert.equal(job.spec.template.spec.containers[0].image, pod.containers[0].image, 'the backfill runs the same image');
});

test('resource requests are sized from the benchmark figures (bench/results/latest.json)', async () => {
  const results = JSON.parse(await readFile(join(REPO_ROOT, 'bench/results/latest.json'), 'utf8')) as { figures: Record<string, { value: number; unit: string }> };
  const serverRss = results.figures.months_rss_mb;
  const buildRss = results.figures.build_peak_rss;
  assert.equal(serverRss.unit, 'MB');
  const [deployment] = await file('base/deployment.yaml');
  const [cronjob] = await file('base/cronjob-rebuild-recent.yaml');
  const [job] = await file('backfill/job-backfill.yaml');
  const api = (deployment as Any).spec.template.spec.containers[0].resources;
  const nightly = (cronjob as Any).spec.jobTemplate.spec.template.spec.containers[0].resources;
  const backfill = (job as Any).spec.template.spec.containers[0].resources;
  // The bench's "MB" are MiB (bytes / 2^20).
  assert.ok(bytes(api.requests.memory) >= serverRss.value * MiB, `API request ${api.requests.memory} covers the measured ${serverRss.value.toFixed(0)} MiB`);
  assert.ok(bytes(api.requests.memory) <= serverRss.value * MiB * 1.5, 'and is not far above it');
  assert.ok(bytes(api.limits.memory) > bytes(api.requests.memory));
  for (const r of [nightly, backfill]) {
    assert.ok(bytes(r.requests.memory) >= buildRss.value * MiB, `builder request ${r.requests.memory} covers the measured build peak ${buildRss.value.toFixed(0)} MiB`);
    assert.ok(bytes(r.limits.memory) >= 2 * bytes(r.requests.memory) - 1, 'builders get twice their request as a limit');
  }
  assert.ok(bytes(backfill.requests.memory) > bytes(nightly.requests.memory), 'a backfill slice holds more months than the nightly rebuild');
});

test('the checks catch what they are for (on the plain files, no kubectl needed)', async () => {
  const base = [...(await file('base/deployment.yaml')), ...(await file('base/service.yaml')), ...(await file('base/hpa.yaml')), ...(await file('base/pdb.yaml')), ...(await file('base/cronjob-rebuild-recent.yaml')), ...(await file('backfill/job-backfill.yaml'))];
  assert.deepEqual(await checkSchemas(base), []);
  assert.deepEqual(checkFields(base), []);
  assert.deepEqual(checkRules(base, { complete: false }), []);
  const d = (objects: Any[]): Any => objects.find((o) => o.kind === 'Deployment')!;
  const container = (objects: Any[]): Any => d(objects).spec.template.spec.containers[0];
  const job = (objects: Any[]): Any => objects.find((o) => o.kind === 'Job')!;

  // Schemas: a port as a word.
  const wrongType = clone(base) as Any[];
  container(wrongType).ports[0].containerPort = 'eighty';
  assert.match((await checkSchemas(wrongType as K8sObject[])).join('\n'), /Deployment\/argo-profiles: .*containerPort must be integer/);

  // Strict fields: a misspelt probe would be dropped by the API server without a word.
  const typo = clone(base) as Any[];
  const c = container(typo);
  c.readinesProbe = c.readinessProbe;
  delete c.readinessProbe;
  const fieldProblems = checkFields(typo as K8sObject[]).join('\n');
  assert.match(fieldProblems, /Deployment\/argo-profiles: .*'readinesProbe' does not exist/);
  assert.match(fieldProblems, /Did you mean to write 'readinessProbe'/);
  assert.match(checkRules(typo as K8sObject[], { complete: false }).join('\n'), /readinessProbe must GET \/readyz \(got none\)/);

  const rules = (mutate: (objects: Any[]) => void): string => {
    const copy = clone(base) as Any[];
    mutate(copy);
    return checkRules(copy as K8sObject[], { complete: false }).join('\n');
  };
  assert.match(rules((o) => container(o).env.push({ name: 'ARGO_DOWNLOAD_WORKER', value: '8' })), /ARGO_DOWNLOAD_WORKER is not a variable the service reads/);
  assert.match(rules((o) => container(o).env.push({ name: 'ARGO_GDAC_S3_ANONYMOUS', value: 'perhaps' })), /would refuse this configuration: .*ARGO_GDAC_S3_ANONYMOUS/);
  assert.match(rules((o) => (container(o).livenessProbe.httpGet.path = '/readyz')), /livenessProbe must GET \/healthz/);
  assert.match(rules((o) => delete container(o).resources.requests.cpu), /resources.requests needs memory and cpu/);
  assert.match(rules((o) => (o.find((x) => x.kind === 'Service')!.spec.selector['app.kubernetes.io/component'] = 'web')), /Service\/argo-profiles: its selector matches no Deployment/);
  assert.match(rules((o) => (o.find((x) => x.kind === 'HorizontalPodAutoscaler')!.spec.scaleTargetRef.name = 'other')), /scaleTargetRef Deployment\/other is not in the manifests/);
  assert.match(rules((o) => (job(o).spec.completions = 10)), /--slice \.\.\.\/8 but completions is 10/);
  assert.match(rules((o) => (job(o).spec.template.spec.containers[0].args = ['--start', '1997-07', '--end', '2025-12'])), /an Indexed Job whose arguments do not use \$\(JOB_COMPLETION_INDEX\)/);
  assert.match(rules((o) => (o.find((x) => x.kind === 'CronJob')!.spec.jobTemplate.spec.template.spec.containers[0].args = ['--recent', 'two'])), /build-index refuses .*--recent/);
  assert.match(rules((o) => (o.find((x) => x.kind === 'CronJob')!.spec.jobTemplate.spec.template.spec.containers[0].command = ['node', 'dist/build-index.js'])), /is not the image's build command/);
  assert.match(rules((o) => (job(o).spec.template.spec.containers[0].image = 'elsewhere:1')), /workloads run different images/);
  // A deployable whole must carry what it references.
  assert.match(checkRules(base, { complete: true }).join('\n'), /ARGO_ADMIN_TOKEN refers to Secret argo-profiles-admin, which is not in the manifests/);
});
