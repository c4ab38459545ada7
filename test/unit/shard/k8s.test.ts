// bench k8s render: the manifests validate against the pinned Kubernetes schema (fixtures/k8s) and
// satisfy the API server's semantic rules for Indexed Jobs and headless Services.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { manifestsYaml, renderManifests, type RenderOptions } from '../../../src/app/shard/k8s.js';
import { checkSchema, type SchemaIssue } from '../../helpers/json-schema-check.js';

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../fixtures/k8s/schema.json'), 'utf8'),
) as Record<string, unknown>;

const DEFINITION: Record<string, string> = {
  Job: 'io.k8s.api.batch.v1.Job',
  Service: 'io.k8s.api.core.v1.Service',
  PersistentVolumeClaim: 'io.k8s.api.core.v1.PersistentVolumeClaim',
};

function validate(object: Record<string, unknown>): SchemaIssue[] {
  const definition = DEFINITION[String(object.kind)];
  if (definition === undefined)
    return [{ path: '$.kind', message: `kind ${String(object.kind)} is not in the schema` }];
  return checkSchema({ ...schema, oneOf: undefined, $ref: `#/definitions/${definition}` }, object);
}

const RUN_ID = '019e3b45-8552-7705-ab62-1cb802fe5680';
const OPTIONS: RenderOptions = {
  shards: 4,
  image: 'registry.example/inferencebench:0.1.0',
  namespace: 'bench',
  name: 'llama',
  runId: RUN_ID,
  results: 'pvc',
  runArgs: [
    'llm.inference',
    '--base-url',
    'http://vllm.serving.svc:8000/v1',
    '--concurrency',
    '256',
    '--duration',
    '120',
  ],
  signingSecret: 'bench-signing-key',
  storage: '1Gi',
  storageClass: null,
  cpu: '2',
  memory: '2Gi',
  imagePullPolicy: 'IfNotPresent',
  timeoutS: 600,
};

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function parseYaml(text: string): Obj[] {
  const docs = parseAllDocuments(text);
  for (const d of docs) expect(d.errors).toEqual([]);
  return docs.map((d) => d.toJS() as Obj);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('bench k8s render', () => {
  const objects = parseYaml(manifestsYaml(renderManifests(OPTIONS)));
  const byKind = (kind: string, component: string) =>
    objects.find(
      (o) => o.kind === kind && o.metadata.labels['app.kubernetes.io/component'] === component,
    ) as Obj;

  it('emits a headless Service, a coordinator Job, an Indexed shard Job and a PVC, each valid against the pinned schema', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(['Job', 'Job', 'PersistentVolumeClaim', 'Service']);
    for (const o of objects) expect(validate(o)).toEqual([]);
  });

  it('follows the API server rules the schema cannot express', () => {
    for (const o of objects) {
      expect(o.metadata.name).toMatch(DNS_LABEL);
      expect(o.metadata.name.length).toBeLessThanOrEqual(63);
      expect(o.metadata.namespace).toBe('bench');
    }
    const shards = byKind('Job', 'shard');
    expect(shards.spec).toMatchObject({
      completionMode: 'Indexed',
      completions: 4,
      parallelism: 4,
      backoffLimit: 0,
    });
    // Pod hostnames of an Indexed Job are <job>-<index>: a DNS label.
    expect(`${shards.metadata.name}-${4 - 1}`.length).toBeLessThanOrEqual(63);
    for (const job of [shards, byKind('Job', 'coordinator')]) {
      expect(['Never', 'OnFailure']).toContain(job.spec.template.spec.restartPolicy);
      // The Job's pods must carry labels its selector (generated) and the Service can use.
      expect(job.spec.template.metadata.labels).toBeDefined();
    }
  });

  it('selects the shard from the completion index and points every shard at the coordinator Service', () => {
    const shards = byKind('Job', 'shard');
    const container = shards.spec.template.spec.containers[0];
    expect(container.env).toContainEqual({
      name: 'SHARD_INDEX',
      valueFrom: {
        fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" },
      },
    });
    const args: string[] = container.args;
    expect(args.slice(0, 1 + OPTIONS.runArgs.length)).toEqual(['run', ...OPTIONS.runArgs]);
    expect(args[args.indexOf('--shard') + 1]).toBe('$(SHARD_INDEX)/4');
    expect(args[args.indexOf('--run-id') + 1]).toBe(RUN_ID);
    const service = byKind('Service', 'coordinator');
    expect(service.spec.clusterIP).toBe('None');
    const port = service.spec.ports[0].port;
    expect(args[args.indexOf('--coordinator') + 1]).toBe(`http://${service.metadata.name}.bench.svc:${port}`);
    const coordinator = byKind('Job', 'coordinator');
    // The Service selects exactly the coordinator's pods.
    expect(coordinator.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(shards.spec.template.metadata.labels['app.kubernetes.io/component']).not.toBe(
      service.spec.selector['app.kubernetes.io/component'],
    );
    const cArgs: string[] = coordinator.spec.template.spec.containers[0].args;
    expect(cArgs).toEqual(
      expect.arrayContaining([
        'k8s',
        'coordinator',
        '--shards',
        '4',
        '--run-id',
        RUN_ID,
        '--output',
        '/results',
      ]),
    );
    expect(cArgs[cArgs.indexOf('--barrier-timeout') + 1]).toBe('600');
    expect(coordinator.spec.template.spec.containers[0].ports[0].containerPort).toBe(port);
  });

  it('mounts the results claim and the signing key where the arguments say', () => {
    const coordinator = byKind('Job', 'coordinator');
    const pvc = byKind('PersistentVolumeClaim', 'results');
    const volumes: Obj[] = coordinator.spec.template.spec.volumes;
    expect(volumes).toContainEqual({
      name: 'results',
      persistentVolumeClaim: { claimName: pvc.metadata.name },
    });
    for (const job of [coordinator, byKind('Job', 'shard')]) {
      const pod = job.spec.template.spec;
      const mounts: Obj[] = pod.containers[0].volumeMounts;
      for (const m of mounts) expect(pod.volumes.map((v: Obj) => v.name)).toContain(m.name);
      expect(mounts).toContainEqual({ name: 'signing-key', mountPath: '/keys', readOnly: true });
      // The image's user (node, 1000) reads the key (0440) and writes the results through fsGroup.
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
      expect(pod.containers[0].args).toEqual(expect.arrayContaining(['--dev-key', '/keys/cosign.key']));
    }
  });

  it('--results stdout: no claim; the coordinator prints the merged envelope', () => {
    const out = parseYaml(manifestsYaml(renderManifests({ ...OPTIONS, results: 'stdout' })));
    expect(out.map((o) => o.kind)).not.toContain('PersistentVolumeClaim');
    for (const o of out) expect(validate(o)).toEqual([]);
    const coordinator = out.find((o) => o.metadata.name === 'llama-coordinator' && o.kind === 'Job') as Obj;
    expect(coordinator.spec.template.spec.containers[0].args).toContain('--stdout');
  });

  it('the schema check is not a rubber stamp', () => {
    const job = structuredClone(byKind('Job', 'shard'));
    job.spec.completion = 4;
    job.spec.parallelism = '4';
    job.spec.completionMode = 'indexed';
    job.spec.template.spec.containers[0].resources.requests.cpu = 'two';
    delete job.spec.template.spec.containers;
    const issues = validate(job).map((i) => i.path);
    expect(issues).toEqual(
      expect.arrayContaining([
        '$.spec.completion',
        '$.spec.parallelism',
        '$.spec.completionMode',
        '$.spec.template.spec.containers',
      ]),
    );
    const service = structuredClone(byKind('Service', 'coordinator'));
    service.spec.ports[0].port = 70000;
    service.spec.ports[0].targetPort = true;
    expect(validate(service).map((i) => i.path)).toEqual([
      '$.spec.ports[0].port',
      '$.spec.ports[0].targetPort',
    ]);
  });

  it.each<[string, Partial<RenderOptions>, RegExp]>([
    ['zero shards', { shards: 0 }, /--shards must be/],
    ['a name that is not a DNS label', { name: 'Llama_8B' }, /--name must be a DNS label/],
    ['a long name', { name: 'a'.repeat(41) }, /at most 40/],
    ['a bad quantity', { memory: '2 GB' }, /--memory must be a Kubernetes quantity/],
    ['a reserved run flag', { runArgs: ['--shard', '0/2'] }, /--shard is set by bench k8s render/],
    ['--output in the run flags', { runArgs: ['--output=/tmp'] }, /--output is set by/],
  ])('refuses %s', (_name, patch, message) => {
    expect(() => renderManifests({ ...OPTIONS, ...patch })).toThrow(message);
  });
});
