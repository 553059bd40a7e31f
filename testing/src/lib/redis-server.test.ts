import { afterEach, describe, expect, it } from 'vitest';
import { rawCommand, RedisCluster, RedisServer } from './redis-server.ts';

describe('the redis-server fixture', () => {
  const started: Array<RedisServer | RedisCluster> = [];
  afterEach(async () => {
    for (const s of started.splice(0)) await s.stop();
  });

  it('starts redis-server on a free loopback port, kills it by PID, restarts it on the same port with its data', async () => {
    const redis = await RedisServer.start({ persist: true });
    started.push(redis);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await rawCommand(redis.port, 'SET k kept')).toBe('+OK\r\n');
    const pid = redis.pid;
    await redis.kill();
    expect(() => process.kill(pid as number, 0)).toThrow();
    await expect(rawCommand(redis.port, 'PING')).rejects.toThrow();
    await redis.restart();
    expect(redis.pid).not.toBe(pid);
    expect(await rawCommand(redis.port, 'GET k', (r) => r.endsWith('kept\r\n'))).toBe('$4\r\nkept\r\n');
  });

  it('starts a three-node cluster with every slot assigned', async () => {
    const cluster = await RedisCluster.start();
    started.push(cluster);
    expect(cluster.urls).toHaveLength(3);
    const info = await rawCommand(cluster.nodes[0]!.port, 'CLUSTER INFO', (r) => r.includes('cluster_stats_messages'));
    expect(info).toContain('cluster_state:ok');
    expect(info).toContain('cluster_slots_assigned:16384');
    expect(info).toContain('cluster_known_nodes:3');
  });
});
