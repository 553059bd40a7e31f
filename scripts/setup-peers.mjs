#!/usr/bin/env node
// Makes sure the real peers the integration tests talk to are on this machine: Python
// `websockets` (Debian python3-websockets, run with /usr/bin/python3), headless Chromium
// (Debian chromium, driven by playwright-core), tmux (the terminal @rfc6455/cli's interactive
// tests type into), nftables and iproute2 (the fault suite's blackholed and lossy links in
// network namespaces, faults/) and redis-server with redis-cli (Debian redis-server, which brings
// redis-tools: the real Redis and Redis Cluster of @rfc6455/redis's tests). On a fresh machine where we are root and apt-get
// exists, it installs what is missing; elsewhere it says exactly what to install and fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const missing = [];
const python = spawnSync('/usr/bin/python3', ['-c', 'import websockets'], { stdio: 'ignore' });
if (python.status !== 0) missing.push('python3-websockets');
if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
if (!existsSync('/usr/bin/tmux')) missing.push('tmux');
if (!existsSync('/usr/sbin/nft')) missing.push('nftables');
if (!existsSync('/usr/sbin/ip') && !existsSync('/usr/bin/ip')) missing.push('iproute2');
if (!existsSync('/usr/bin/redis-server') || !existsSync('/usr/bin/redis-cli')) missing.push('redis-server');

if (missing.length === 0) {
  console.log('peers: python3-websockets, chromium, tmux, nftables, iproute2 and redis-server are present');
  process.exit(0);
}
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !existsSync('/usr/bin/apt-get')) {
  console.error(`peers: missing Debian packages: ${missing.join(' ')}.\nInstall them (sudo apt-get install -y ${missing.join(' ')}) and run the tests again.`);
  process.exit(1);
}
console.log(`peers: installing ${missing.join(' ')} with apt-get`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
console.log('peers: installed');
