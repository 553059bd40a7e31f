import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterHarness } from '../../test/harness.ts';
import { rawCommand, RedisCluster } from '@rfc6455/testing';

/** The shard channels one cluster node has subscribers for (PUBSUB SHARDCHANNELS). */
async function shardChannels(port: number): Promise<string[]> {
  const reply = await rawCommand(port, 'PUBSUB SHARDCHANNELS', (r) => {
    const count = Number(/^\*(\d+)/.exec(r)?.[1] ?? NaN);
    return !Number.isNaN(count) && r.split('\r\n').length >= 2 + count * 2;
  });
  return reply.split('\r\n').filter((line, i) => i > 0 && !line.startsWith('$') && line !== '');
}

describe('sharded pub/sub (SPUBLISH/SSUBSCRIBE) over a real three-node Redis Cluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await RedisCluster.start();
  }, 60_000);
  afterAll(async () => {
    await cluster.stop();
  });
  const { node, dial } = adapterHarness();

  it('publishes on topics spread over the shards reach the subscribers of every node once, in publish order', async () => {
    const nodes = [await node({ rootNodes: cluster.urls }), await node({ rootNodes: [cluster.urls[1]!] }), await node({ rootNodes: cluster.urls })];
    expect(nodes.map((n) => n.adapter.mode)).toEqual(['sharded', 'sharded', 'sharded']);
    const topics = Array.from({ length: 12 }, (_, i) => `topic-${i}`);
    const clients = [];
    for (const n of nodes) clients.push(await dial(n, topics));
    // Twelve topics' channels land on more than one shard: the cluster really is sharding them.
    const perShard = await Promise.all(cluster.nodes.map((n) => shardChannels(n.port)));
    expect(perShard.filter((channels) => channels.length > 0).length).toBeGreaterThan(1);
    expect(perShard.flat().sort()).toEqual([...topics.map((t) => `rfc6455:t:${t}`), 'rfc6455:b'].sort());
    const expected: string[] = [];
    for (let round = 0; round < 5; round++) {
      for (const [i, topic] of topics.entries()) {
        // Each topic has one publisher (order is per publisher), each node publishes some.
        nodes[i % 3]!.wss.publish(topic, `${topic}#${round}`);
        expected.push(`${topic}#${round}`);
      }
    }
    nodes[2]!.wss.broadcast('to all');
    for (const client of clients) await client.count(expected.length + 1);
    for (const client of clients) {
      expect([...client.messages].sort()).toEqual([...expected, 'to all'].sort());
      for (const topic of topics) expect(client.messages.filter((m) => m.startsWith(`${topic}#`))).toEqual([0, 1, 2, 3, 4].map((r) => `${topic}#${r}`));
    }
  });

  it('unsubscribe stops delivery on every node (SUNSUBSCRIBE on the shard)', async () => {
    const a = await node({ rootNodes: cluster.urls });
    const b = await node({ rootNodes: cluster.urls });
    const onB = await dial(b, ['gone']);
    const stays = await dial(b, ['gone-marker']);
    a.wss.publish('gone', 'one');
    await onB.count(1);
    onB.ws.send('unsub:gone');
    await onB.until((m) => m.includes('unsubscribed:gone'));
    await b.adapter.synced();
    const everywhere = (await Promise.all(cluster.nodes.map((n) => shardChannels(n.port)))).flat();
    expect(everywhere).not.toContain('rfc6455:t:gone');
    a.wss.publish('gone', 'two');
    a.wss.publish('gone-marker', 'marker');
    await stays.count(1);
    // 'gone' and its marker may live on different shards: give 'two' the same chance to arrive.
    a.wss.publish('gone-marker', 'marker 2');
    await stays.count(2);
    expect(onB.messages).toEqual(['one', 'unsubscribed:gone']);
  });
});
