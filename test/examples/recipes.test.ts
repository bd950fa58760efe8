/**
 * The recipes in examples/recipes cannot run here (no Jaeger, Tempo, Collector or Docker), so this
 * checks what can be checked without them: every YAML file parses without error or warning; every
 * reference between the files holds (included files, mounted configs, `depends_on`, volumes,
 * hostnames in URLs and Collector endpoints, pipeline components, storage extensions, Kubernetes
 * selectors and mounts); every receiver command line uses flags `serve --help` lists and
 * environment variables the CLI reads; the properties each recipe is about (0.0.0.0 binds,
 * routing by trace id, persistent queues, fan-out, client affinity, one spool per receiver); and
 * `nginx -t` accepts the load balancer's configuration (nginx is installed by .ci/run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { ComposeService, Yaml } from './recipe-files.js';
import {
  RECIPES, cliReadsEnv, composeProject, filesUnder, flagsOf, hostOf, mountedFile, mounts, rel, serveArguments, serveFlags,
  yamlDocuments, yamlFile,
} from './recipe-files.js';

const RECEIVER_MAX_BODY_BYTES = 5_000_000;

const COMPOSE_FILES = filesUnder(RECIPES).filter((f) => f.endsWith('compose.yaml'));
const projects = COMPOSE_FILES.map((file) => ({ file, ...composeProject(file) }));

function bridges(services: Map<string, ComposeService>): ComposeService[] {
  return [...services.values()].filter((s) => serveArguments((s.spec.command ?? []) as string[]) !== undefined);
}

async function checkServeCommand(where: string, args: readonly string[], env: readonly string[], hosts: ReadonlySet<string>): Promise<void> {
  const known = await serveFlags();
  const flags = flagsOf(args);
  for (const flag of flags.keys()) expect(known.has(flag), `${where}: serve has no ${flag}`).toBe(true);
  for (const name of env) expect(cliReadsEnv(name), `${where}: the CLI does not read ${name}`).toBe(true);
  const endpoint = flags.get('--endpoint');
  if (endpoint !== undefined) expect(hosts, `${where}: --endpoint ${endpoint}`).toContain(hostOf(endpoint));
  // Bound beyond loopback, the receiver requires a key pair.
  expect(flags.get('--host'), where).toBe('0.0.0.0');
  expect(env, where).toEqual(expect.arrayContaining(['LANGFUSE_BRIDGE_PUBLIC_KEY', 'LANGFUSE_BRIDGE_SECRET_KEY']));
}

describe('recipe files', () => {
  test('each recipe has a README and its YAML parses without error or warning', () => {
    const dirs = readdirSync(RECIPES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(dirs.sort()).toEqual(['collector-gateway', 'jaeger', 'scale-out', 'tempo']);
    for (const dir of dirs) expect(existsSync(join(RECIPES, dir, 'README.md')), dir).toBe(true);
    for (const file of filesUnder(RECIPES).filter((f) => f.endsWith('.yaml'))) expect(yamlDocuments(file).length, rel(file)).toBeGreaterThan(0);
  });

  test.for(COMPOSE_FILES.map(rel))('%s: services, mounts and volumes it names exist; its receivers use real flags and variables', async (name) => {
    const { services, volumes } = projects.find((p) => rel(p.file) === name) as (typeof projects)[number];
    const hosts = new Set(services.keys());
    for (const s of services.values()) {
      for (const dep of (s.spec.depends_on ?? []) as string[]) expect(hosts, `${s.name} depends_on`).toContain(dep);
      for (const m of mounts(s)) {
        if (m.hostPath !== undefined) expect(existsSync(m.hostPath), `${s.name} mounts ${m.source}`).toBe(true);
        else if (m.source !== '') expect(volumes, `${s.name} volume`).toContain(m.source);
      }
    }
    expect(bridges(services).length).toBeGreaterThan(0);
    for (const b of bridges(services)) {
      const env = Object.keys((b.spec.environment ?? {}) as Yaml);
      await checkServeCommand(`${name} ${b.name}`, serveArguments(b.spec.command as string[]) as string[], env, hosts);
    }
  });
});

describe('Collector, Tempo and nginx configurations', () => {
  const collectors = projects.flatMap(({ services }) =>
    [...services.values()]
      .filter((s) => String(s.spec.image).includes('opentelemetry-collector'))
      .map((s) => ({ service: s, hosts: new Set(services.keys()), config: mountedFile(s, String((s.spec.command as string[])[0]).replace('--config=', '')) })),
  );

  test.for([...new Set(collectors.map((c) => rel(c.config ?? c.service.file)))])('%s: pipelines, storage and endpoints hold together', (name) => {
    const { config, hosts } = collectors.find((c) => rel(c.config ?? '') === name) as (typeof collectors)[number];
    expect(config, name).toBeDefined();
    const doc = yamlFile(config as string);
    const service = doc.service as { extensions: string[]; pipelines: Record<string, Record<string, string[]>> };
    for (const pipeline of Object.values(service.pipelines)) {
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        for (const component of pipeline[kind] ?? []) expect(Object.keys((doc[kind] ?? {}) as Yaml), `${name} ${kind}`).toContain(component);
      }
    }
    for (const ext of service.extensions) expect(Object.keys(doc.extensions as Yaml)).toContain(ext);
    const exporters = doc.exporters as Record<string, Yaml>;
    for (const [exporterName, exporter] of Object.entries(exporters)) {
      const queue = exporter.sending_queue as Yaml | undefined;
      // Every queue that is on is on disk, in an extension the service starts.
      if (queue?.enabled !== false) expect(service.extensions, `${name} ${exporterName} storage`).toContain(queue?.storage);
      const endpoint = exporter.endpoint as string | undefined;
      if (endpoint !== undefined && !endpoint.startsWith('${env:')) expect(hosts, `${name} ${exporterName}`).toContain(hostOf(endpoint));
    }
    for (const [receiverName, receiver] of Object.entries(doc.receivers as Record<string, { protocols: Record<string, { endpoint: string }> }>)) {
      for (const protocol of Object.values(receiver.protocols)) expect(protocol.endpoint, `${name} ${receiverName}`).toMatch(/^0\.0\.0\.0:/);
    }
    const balancer = exporters.load_balancing;
    if (balancer !== undefined) {
      expect(balancer.routing_key).toBe('traceID');
      expect(hosts).toContain((balancer.resolver as { dns: { hostname: string } }).dns.hostname);
      expect((balancer.protocol as { otlp: { sending_queue: Yaml } }).otlp.sending_queue.enabled).toBe(false);
    } else {
      // The tier that fans out: one pipeline, several exporters.
      expect(Math.max(...Object.values(service.pipelines).map((p) => p.exporters?.length ?? 0))).toBeGreaterThan(1);
    }
  });

  test('gateway and backend Collectors are both checked', () => {
    expect(new Set(collectors.map((c) => rel(c.config ?? '')))).toEqual(new Set(['collector-gateway/gateway.yaml', 'collector-gateway/backend.yaml']));
  });

  test("tempo.yaml binds Tempo's OTLP receivers on 0.0.0.0, which the bridge reaches", () => {
    const { services } = projects.find((p) => rel(p.file) === 'tempo/compose.yaml') as (typeof projects)[number];
    const tempo = services.get('tempo') as ComposeService;
    const config = yamlFile(mountedFile(tempo, '/etc/tempo.yaml') as string);
    const protocols = (config.distributor as { receivers: { otlp: { protocols: Record<string, { endpoint: string }> } } }).receivers.otlp.protocols;
    expect(Object.values(protocols).map((p) => p.endpoint).sort()).toEqual(['0.0.0.0:4317', '0.0.0.0:4318']);
  });
});

describe('scale-out', () => {
  const { services } = projects.find((p) => rel(p.file) === 'scale-out/compose.yaml') as (typeof projects)[number];
  const lb = services.get('lb') as ComposeService;
  const nginxConf = mountedFile(lb, '/etc/nginx/nginx.conf') as string;
  const text = readFileSync(nginxConf, 'utf8');

  test('each receiver has a spool volume of its own', () => {
    const spools = bridges(services).map((b) => {
      const dir = flagsOf(serveArguments(b.spec.command as string[]) as string[]).get('--spool-dir');
      const volume = mounts(b).find((m) => m.target === dir);
      expect(volume?.hostPath, `${b.name}: --spool-dir ${String(dir)} on a named volume`).toBeUndefined();
      return volume?.source;
    });
    expect(spools.length).toBeGreaterThan(1);
    expect(new Set(spools).size).toBe(spools.length);
  });

  test('nginx: client affinity over exactly the receivers, bodies up to the receiver limit', () => {
    const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(text);
    expect(upstream).not.toBeNull();
    const [, name, body] = upstream as RegExpExecArray;
    expect(body).toMatch(/^\s*(hash \$remote_addr consistent|ip_hash);/m);
    const servers = [...(body as string).matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((m) => m[1]);
    expect(servers.sort()).toEqual(bridges(services).map((b) => b.name).sort());
    expect(text).toContain(`proxy_pass http://${String(name)};`);
    const size = /client_max_body_size\s+(\d+)([km]?);/.exec(text) as RegExpExecArray;
    expect(Number(size[1]) * ({ '': 1, k: 1024, m: 1024 * 1024 } as Record<string, number>)[size[2] as string]!).toBeGreaterThanOrEqual(RECEIVER_MAX_BODY_BYTES);
  });

  const nginx = spawnSync('nginx', ['-v']).error === undefined;
  // CI installs nginx (.ci/run): there the check must run; elsewhere it runs when nginx is there.
  test.runIf(nginx || process.env.CI === 'true')('nginx -t accepts nginx.conf (receiver hostnames swapped for loopback addresses)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recipe-nginx-'));
    try {
      let n = 0;
      const conf = join(dir, 'nginx.conf');
      writeFileSync(conf, text.replace(/^(\s*server\s+)[\w.-]+:/gm, (_m, lead: string) => `${lead}127.0.0.${++n}:`));
      const r = spawnSync('nginx', ['-t', '-c', conf, '-p', dir, '-e', join(dir, 'error.log'), '-g', `pid ${join(dir, 'nginx.pid')};`], { encoding: 'utf8' });
      expect(r.error, 'nginx is not installed (.ci/run installs it)').toBeUndefined();
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Kubernetes: ClientIP affinity in front of a StatefulSet whose pods each claim a spool volume', async () => {
    const docs = yamlDocuments(join(RECIPES, 'scale-out', 'k8s.yaml'));
    const svc = docs.find((d) => d.kind === 'Service') as { spec: { selector: Yaml; sessionAffinity: string; ports: Array<{ targetPort: string }> } };
    const sts = docs.find((d) => d.kind === 'StatefulSet') as {
      spec: { template: { metadata: { labels: Yaml }; spec: { containers: Array<Yaml> } }; volumeClaimTemplates: Array<{ metadata: { name: string } }> };
    };
    expect(svc.spec.sessionAffinity).toBe('ClientIP');
    expect(sts.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
    const container = sts.spec.template.spec.containers[0] as { args: string[]; env: Array<{ name: string }>; ports: Array<{ name: string }>; volumeMounts: Array<{ name: string; mountPath: string }> };
    expect(container.ports.map((p) => p.name)).toContain(svc.spec.ports[0]?.targetPort);
    const args = serveArguments(container.args) as string[];
    await checkServeCommand('k8s.yaml', args, container.env.map((e) => e.name).filter((e) => e !== 'HOME'), new Set(['otel-gateway']));
    const spool = container.volumeMounts.find((m) => m.mountPath === flagsOf(args).get('--spool-dir'));
    expect(sts.spec.volumeClaimTemplates.map((v) => v.metadata.name)).toContain(spool?.name);
  });
});
