/**
 * Two Linux network namespaces joined by a veth pair, made by the test (`ip netns`, `ip link`) and
 * faulted with nftables inside the server's namespace: a blackhole (every packet of the link
 * dropped, so neither end sees a FIN or an RST) or random loss (`numgen random mod 100 < N drop`;
 * the kernel here has no netem qdisc). The addresses exist only inside these namespaces, so
 * nothing reaches the machine's real network. Everything is removed by name in {@link destroy}:
 * deleting a namespace deletes its end of the veth pair and its nftables tables with it.
 */
import { execFileSync } from 'node:child_process';

/** The link between the two namespaces. */
export interface NetworkPair {
  /** Namespace of the server peer, and its address on the link. */
  readonly serverNs: string;
  readonly serverAddress: string;
  /** Namespace of the client peer, and its address on the link. */
  readonly clientNs: string;
  readonly clientAddress: string;
  /** Drop every packet on the link, both ways (no FIN, no RST reaches either end). */
  blackhole(): void;
  /** Drop `percent` % of the link's packets, chosen at random, in each direction. */
  loss(percent: number): void;
  /** Remove the fault: packets flow again. */
  heal(): void;
  /** The nftables ruleset of the server's namespace (for failure messages). */
  ruleset(): string;
  /** Packets the current fault has dropped so far (the rules' counters), both directions. */
  dropped(): number;
  /** Packets seen on the link since the current fault was set, both directions, dropped ones included. */
  packets(): number;
  /** Delete both namespaces (and with them the veth pair and the nftables table). */
  destroy(): void;
}

const created = new Set<string>();

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Fail, with a message saying why, unless this process may create namespaces and nftables rules:
 * root, with `ip` and `nft` installed (scripts/setup-peers.mjs installs nftables). CI runs as root.
 */
export function requireNetworkAdmin(): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error('the network-namespace faults need root (ip netns, nftables); CI runs as root — run `pnpm faults` as root');
  }
  for (const [tool, hint] of [
    ['ip', 'iproute2'],
    ['nft', 'nftables (scripts/setup-peers.mjs installs it)'],
  ] as const) {
    try {
      run(tool, ['-V']);
    } catch {
      throw new Error(`the network-namespace faults need \`${tool}\`: install ${hint}`);
    }
  }
}

/**
 * Create the pair for one test; `tag` (letters, ≤ 6) keeps names apart. Names carry this
 * process's PID, so two runs never touch each other's namespaces.
 */
export function createNetworkPair(tag: string, subnet = 77): NetworkPair {
  requireNetworkAdmin();
  const id = `${tag}${process.pid}`;
  const serverNs = `rfc6455-faults-${id}-s`;
  const clientNs = `rfc6455-faults-${id}-c`;
  // Interface names are limited to 15 bytes.
  const serverIf = `fs${id}`.slice(0, 15);
  const clientIf = `fc${id}`.slice(0, 15);
  const serverAddress = `10.${subnet}.0.1`;
  const clientAddress = `10.${subnet}.0.2`;
  const inServer = (...args: string[]): string => run('ip', ['netns', 'exec', serverNs, ...args]);
  const nft = (script: string): void => {
    execFileSync('ip', ['netns', 'exec', serverNs, 'nft', '-f', '-'], { input: script, stdio: ['pipe', 'pipe', 'pipe'] });
  };
  for (const ns of [serverNs, clientNs]) {
    run('ip', ['netns', 'add', ns]);
    created.add(ns);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }
  // No segmentation offload: nftables then sees (and drops) wire-sized packets, not 64 KiB super-packets.
  const oneSegment = ['gso_max_size', '1500', 'gso_max_segs', '1'];
  run('ip', ['link', 'add', serverIf, 'netns', serverNs, ...oneSegment, 'type', 'veth', 'peer', 'name', clientIf, 'netns', clientNs, ...oneSegment]);
  run('ip', ['-n', serverNs, 'addr', 'add', `${serverAddress}/30`, 'dev', serverIf]);
  run('ip', ['-n', clientNs, 'addr', 'add', `${clientAddress}/30`, 'dev', clientIf]);
  run('ip', ['-n', serverNs, 'link', 'set', serverIf, 'up']);
  run('ip', ['-n', clientNs, 'link', 'set', clientIf, 'up']);
  // One table with an input and an output chain on the server's end of the link; faults are rules in them.
  nft(
    `table inet rfc6455_faults {\n` +
      `  chain input { type filter hook input priority 0; policy accept; }\n` +
      `  chain output { type filter hook output priority 0; policy accept; }\n` +
      `}\n`,
  );
  // Each direction: a rule counting every packet of the link, then the fault's rule.
  const setRules = (rule: string): void => {
    const chains = [
      ['input', 'iifname'],
      ['output', 'oifname'],
    ];
    nft(
      chains.map(([chain]) => `flush chain inet rfc6455_faults ${chain}\n`).join('') +
        chains
          .map(([chain, match]) => `add rule inet rfc6455_faults ${chain} ${match} "${serverIf}" counter\n` + (rule === '' ? '' : `add rule inet rfc6455_faults ${chain} ${match} "${serverIf}" ${rule}\n`))
          .join(''),
    );
  };
  /** Sum the packet counters of the rules whose text `select` accepts. */
  const counted = (select: (line: string) => boolean): number =>
    inServer('nft', 'list', 'table', 'inet', 'rfc6455_faults')
      .split('\n')
      .filter(select)
      .reduce((n, line) => n + Number(/counter packets (\d+)/.exec(line)?.[1] ?? 0), 0);
  return {
    serverNs,
    serverAddress,
    clientNs,
    clientAddress,
    blackhole: () => setRules('counter drop'),
    loss: (percent) => {
      if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RangeError(`loss percent must be an integer 0–100, got ${percent}`);
      setRules(`numgen random mod 100 < ${percent} counter drop`);
    },
    heal: () => setRules(''),
    ruleset: () => inServer('nft', 'list', 'ruleset'),
    dropped: () => counted((line) => line.includes(' drop')),
    packets: () => counted((line) => line.includes('counter') && !line.includes(' drop')),
    destroy: () => {
      for (const ns of [serverNs, clientNs]) destroyNamespace(ns);
    },
  };
}

function destroyNamespace(ns: string): void {
  if (!created.has(ns)) return;
  try {
    run('ip', ['netns', 'del', ns]);
  } catch {
    // Already gone.
  }
  created.delete(ns);
}

/** Delete every namespace this process created and has not deleted yet (afterAll, and on exit). */
export function destroyAllNetworkPairs(): void {
  for (const ns of [...created]) destroyNamespace(ns);
}

// A test that throws before its afterAll, or a run stopped with Ctrl-C, must not leave namespaces behind.
process.once('exit', destroyAllNetworkPairs);
