// `bench k8s render`: the Kubernetes manifests of a sharded run. Pure: options in, objects out.
//
//   Service   <name>-coordinator   headless (clusterIP: None): DNS for the coordinator pod
//   Job       <name>-coordinator   1 pod: `bench k8s coordinator` (barrier, clock, results, merge)
//   Job       <name>-shards        Indexed: completions = parallelism = N; the pod's completion
//                                  index (annotation batch.kubernetes.io/job-completion-index, also
//                                  JOB_COMPLETION_INDEX) selects `--shard $(SHARD_INDEX)/N`
//   PVC       <name>-results       (--results pvc) where the coordinator keeps the shard envelopes and
//                                  the merged one; with --results stdout it prints the merged one
import { stringify } from 'yaml';
import { UsageError } from '../errors.js';
import { MAX_SHARDS } from '../../harness/shard/plan.js';

export type ResultsMode = 'pvc' | 'stdout';
export const COORDINATOR_PORT = 7400;

export interface RenderOptions {
  readonly shards: number;
  readonly image: string;
  readonly namespace: string;
  readonly name: string;
  readonly runId: string;
  readonly results: ResultsMode;
  /** The `bench run` arguments every shard gets (suite id, --base-url, load, duration …). */
  readonly runArgs: readonly string[];
  /** Secret holding the dev signing key as `cosign.key` (and `cosign.key.pub`). */
  readonly signingSecret: string;
  readonly storage: string;
  readonly storageClass: string | null;
  readonly cpu: string;
  readonly memory: string;
  readonly imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** Seconds the coordinator waits for every shard at a barrier and for every result. */
  readonly timeoutS: number;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)?$/;
/** Flags the renderer sets itself on every shard. */
const RESERVED = [
  '--shard',
  '--coordinator',
  '--run-id',
  '--output',
  '--dev-key',
  '--signing-mode',
  '--detach',
];

export function validateRenderOptions(o: RenderOptions): void {
  if (!Number.isInteger(o.shards) || o.shards < 1 || o.shards > MAX_SHARDS)
    throw new UsageError(`--shards must be an integer 1..${MAX_SHARDS} (got ${o.shards})`);
  // The shard pods' names are <name>-shards-<index>-<5 random>: keep <name> short enough for 63.
  if (!DNS_LABEL.test(o.name) || o.name.length > 40)
    throw new UsageError(`--name must be a DNS label of at most 40 characters (got "${o.name}")`);
  if (!DNS_LABEL.test(o.namespace) || o.namespace.length > 63)
    throw new UsageError(`--namespace must be a DNS label (got "${o.namespace}")`);
  if (o.image.trim() === '' || /\s/.test(o.image)) throw new UsageError('--image must be an image reference');
  if (!DNS_LABEL.test(o.signingSecret))
    throw new UsageError(`--signing-secret must be a Secret name (got "${o.signingSecret}")`);
  for (const [flag, value] of [
    ['--storage', o.storage],
    ['--cpu', o.cpu],
    ['--memory', o.memory],
  ] as const)
    if (!QUANTITY.test(value)) throw new UsageError(`${flag} must be a Kubernetes quantity (got "${value}")`);
  if (!(o.timeoutS > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  for (const arg of o.runArgs) {
    const flag = arg.split('=')[0] as string;
    if (RESERVED.includes(flag))
      throw new UsageError(
        `${flag} is set by bench k8s render for every shard; leave it out of the run arguments`,
      );
  }
}

export function renderManifests(o: RenderOptions): Record<string, unknown>[] {
  validateRenderOptions(o);
  const labels = (component: string): Record<string, string> => ({
    'app.kubernetes.io/name': 'inferencebench',
    'app.kubernetes.io/instance': o.name,
    'app.kubernetes.io/component': component,
    'inferencebench.dev/run-id': o.runId,
  });
  const meta = (name: string, component: string) => ({
    name,
    namespace: o.namespace,
    labels: labels(component),
  });
  const service = `${o.name}-coordinator`;
  const coordinatorUrl = `http://${service}.${o.namespace}.svc:${COORDINATOR_PORT}`;
  const resources = { requests: { cpu: o.cpu, memory: o.memory }, limits: { memory: o.memory } };
  // The image runs as the unprivileged `node` user (uid/gid 1000): fsGroup makes the key (mode 0440)
  // and the results volume readable and writable by it.
  const keyVolume = { name: 'signing-key', secret: { secretName: o.signingSecret, defaultMode: 0o440 } };
  const securityContext = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 };
  const keyMount = { name: 'signing-key', mountPath: '/keys', readOnly: true };

  const objects: Record<string, unknown>[] = [];
  objects.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(service, 'coordinator'),
    spec: {
      clusterIP: 'None',
      // Shards resolve the name as soon as the pod exists (they retry joining until it listens).
      publishNotReadyAddresses: true,
      selector: labels('coordinator'),
      ports: [{ name: 'coordinator', port: COORDINATOR_PORT, targetPort: COORDINATOR_PORT, protocol: 'TCP' }],
    },
  });
  if (o.results === 'pvc')
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(`${o.name}-results`, 'results'),
      spec: {
        // Only the coordinator writes: ReadWriteOnce works on every storage class.
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: o.storage } },
        ...(o.storageClass !== null ? { storageClassName: o.storageClass } : {}),
      },
    });
  const coordinatorArgs = [
    'k8s',
    'coordinator',
    '--shards',
    String(o.shards),
    '--run-id',
    o.runId,
    '--port',
    String(COORDINATOR_PORT),
    '--barrier-timeout',
    String(o.timeoutS),
    '--dev-key',
    '/keys/cosign.key',
    ...(o.results === 'pvc' ? ['--output', '/results'] : ['--stdout']),
  ];
  objects.push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(`${o.name}-coordinator`, 'coordinator'),
    spec: {
      completions: 1,
      parallelism: 1,
      backoffLimit: 0,
      template: {
        metadata: { labels: labels('coordinator') },
        spec: {
          restartPolicy: 'Never',
          securityContext,
          containers: [
            {
              name: 'coordinator',
              image: o.image,
              imagePullPolicy: o.imagePullPolicy,
              args: coordinatorArgs,
              ports: [{ name: 'coordinator', containerPort: COORDINATOR_PORT, protocol: 'TCP' }],
              resources: { requests: { cpu: '500m', memory: o.memory }, limits: { memory: o.memory } },
              volumeMounts: [
                keyMount,
                ...(o.results === 'pvc' ? [{ name: 'results', mountPath: '/results' }] : []),
              ],
            },
          ],
          volumes: [
            keyVolume,
            ...(o.results === 'pvc'
              ? [{ name: 'results', persistentVolumeClaim: { claimName: `${o.name}-results` } }]
              : []),
          ],
        },
      },
    },
  });
  const shardArgs = [
    'run',
    ...o.runArgs,
    '--shard',
    `$(SHARD_INDEX)/${o.shards}`,
    '--coordinator',
    coordinatorUrl,
    '--run-id',
    o.runId,
    '--no-tui',
    '--output',
    '/work/results',
    '--signing-mode',
    'dev',
    '--dev-key',
    '/keys/cosign.key',
  ];
  objects.push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(`${o.name}-shards`, 'shard'),
    spec: {
      completionMode: 'Indexed',
      completions: o.shards,
      parallelism: o.shards,
      // A shard that fails is not retried: a retry would join after the start barrier and the
      // coordinator refuses it; the merge then fails loudly instead of shrinking the run.
      backoffLimit: 0,
      template: {
        metadata: { labels: labels('shard') },
        spec: {
          restartPolicy: 'Never',
          securityContext,
          // One shard per node where the cluster allows it: the point is to spread the client load.
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    topologyKey: 'kubernetes.io/hostname',
                    labelSelector: { matchLabels: labels('shard') },
                  },
                },
              ],
            },
          },
          containers: [
            {
              name: 'shard',
              image: o.image,
              imagePullPolicy: o.imagePullPolicy,
              env: [
                {
                  name: 'SHARD_INDEX',
                  valueFrom: {
                    fieldRef: {
                      fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
                    },
                  },
                },
              ],
              args: shardArgs,
              resources,
              volumeMounts: [keyMount, { name: 'work', mountPath: '/work' }],
            },
          ],
          volumes: [keyVolume, { name: 'work', emptyDir: {} }],
        },
      },
    },
  });
  return objects;
}

export function manifestsYaml(objects: readonly Record<string, unknown>[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}
