import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TopicRegistry } from './topics.ts';

describe('TopicRegistry', () => {
  it('subscribes, reports and unsubscribes', () => {
    const reg = new TopicRegistry<{ id: number }>();
    const a = { id: 1 };
    const b = { id: 2 };
    expect(reg.subscribe(a, 'news')).toBe(true);
    expect(reg.subscribe(a, 'news')).toBe(false);
    expect(reg.subscribe(b, 'news')).toBe(true);
    expect(reg.subscribe(a, 'sport')).toBe(true);
    expect(reg.subscriberCount('news')).toBe(2);
    expect(reg.topicsOf(a)).toEqual(['news', 'sport']);
    expect(reg.isSubscribed(b, 'sport')).toBe(false);
    expect(reg.unsubscribe(b, 'sport')).toBe(false);
    expect(reg.unsubscribe(a, 'news')).toBe(true);
    expect([...(reg.subscribersOf('news') ?? [])]).toEqual([b]);
    expect(reg.topicCount).toBe(2);
  });

  it('unsubscribeAll leaves no empty topic and no subscriber entry behind', () => {
    const reg = new TopicRegistry<object>();
    const a = {};
    reg.subscribe(a, 'x');
    reg.subscribe(a, 'y');
    reg.unsubscribeAll(a);
    expect(reg.topicCount).toBe(0);
    expect(reg.subscriberTotal).toBe(0);
    expect(reg.subscribersOf('x')).toBeUndefined();
    expect(reg.topicsOf(a)).toEqual([]);
  });

  it('after any sequence of operations, unsubscribing everyone leaves it empty and both maps agree', () => {
    const op = fc.record({ kind: fc.constantFrom('sub', 'unsub', 'all'), who: fc.integer({ min: 0, max: 4 }), topic: fc.constantFrom('a', 'b', 'c') });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const people = [{}, {}, {}, {}, {}];
        const reg = new TopicRegistry<object>();
        const model = new Set<string>();
        for (const { kind, who, topic } of ops) {
          const p = people[who] as object;
          if (kind === 'sub') {
            expect(reg.subscribe(p, topic)).toBe(!model.has(`${who}:${topic}`));
            model.add(`${who}:${topic}`);
          } else if (kind === 'unsub') {
            expect(reg.unsubscribe(p, topic)).toBe(model.delete(`${who}:${topic}`));
          } else {
            reg.unsubscribeAll(p);
            for (const t of ['a', 'b', 'c']) model.delete(`${who}:${t}`);
          }
        }
        for (const t of ['a', 'b', 'c']) {
          expect(reg.subscriberCount(t)).toBe([...model].filter((k) => k.endsWith(`:${t}`)).length);
        }
        for (const p of people) reg.unsubscribeAll(p);
        expect(reg.topicCount).toBe(0);
        expect(reg.subscriberTotal).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('tells its hooks when a topic gets its first subscriber and loses its last, and a refusing hook changes nothing', () => {
    const events: string[] = [];
    const reg = new TopicRegistry<object>({
      opened: (topic) => {
        if (topic === 'no') throw new TypeError('refused');
        events.push(`+${topic}`);
      },
      closed: (topic) => void events.push(`-${topic}`),
    });
    const [a, b] = [{}, {}];
    reg.subscribe(a, 'x');
    reg.subscribe(b, 'x');
    reg.subscribe(a, 'y');
    reg.unsubscribe(a, 'x');
    expect(events).toEqual(['+x', '+y']);
    expect([...reg.topics()]).toEqual(['x', 'y']);
    reg.unsubscribeAll(a);
    reg.unsubscribe(b, 'x');
    expect(events).toEqual(['+x', '+y', '-y', '-x']);
    expect(() => reg.subscribe(a, 'no')).toThrow(TypeError);
    expect([reg.topicCount, reg.subscriberTotal, reg.topicsOf(a)]).toEqual([0, 0, []]);
  });
});
