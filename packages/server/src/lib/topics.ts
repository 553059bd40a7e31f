/**
 * In-process publish/subscribe, as uWebSockets offers: a connection subscribes to named topics,
 * and a publish reaches every subscriber with one encoded frame.
 */

/** Told when a topic gains its first subscriber and when it loses its last (the adapter seam). */
export interface TopicHooks {
  /** `topic` is about to get its first subscriber; throwing refuses the subscription. */
  readonly opened?: ((topic: string) => void) | undefined;
  /** `topic` has lost its last subscriber. */
  readonly closed?: ((topic: string) => void) | undefined;
}

/**
 * Two maps kept in step: topic → subscribers (for publish) and subscriber → topics (so a closing
 * connection leaves every topic in one pass, and nothing leaks). Empty sets are deleted at once.
 */
export class TopicRegistry<T extends object> {
  readonly #subscribers = new Map<string, Set<T>>();
  readonly #topics = new Map<T, Set<string>>();
  readonly #hooks: TopicHooks;

  constructor(hooks: TopicHooks = {}) {
    this.#hooks = hooks;
  }

  /** Add `subscriber` to `topic`. Returns false when it was already subscribed. */
  subscribe(subscriber: T, topic: string): boolean {
    let members = this.#subscribers.get(topic);
    if (members === undefined) {
      this.#hooks.opened?.(topic);
      members = new Set();
      this.#subscribers.set(topic, members);
    } else if (members.has(subscriber)) {
      return false;
    }
    members.add(subscriber);
    let topics = this.#topics.get(subscriber);
    if (topics === undefined) {
      topics = new Set();
      this.#topics.set(subscriber, topics);
    }
    topics.add(topic);
    return true;
  }

  /** Remove `subscriber` from `topic`. Returns false when it was not subscribed. */
  unsubscribe(subscriber: T, topic: string): boolean {
    const members = this.#subscribers.get(topic);
    if (members === undefined || !members.delete(subscriber)) return false;
    if (members.size === 0) this.#emptied(topic);
    const topics = this.#topics.get(subscriber);
    if (topics !== undefined) {
      topics.delete(topic);
      if (topics.size === 0) this.#topics.delete(subscriber);
    }
    return true;
  }

  /** Remove `subscriber` from every topic (called when its connection closes). */
  unsubscribeAll(subscriber: T): void {
    const topics = this.#topics.get(subscriber);
    if (topics === undefined) return;
    this.#topics.delete(subscriber);
    for (const topic of topics) {
      const members = this.#subscribers.get(topic);
      if (members === undefined) continue;
      members.delete(subscriber);
      if (members.size === 0) this.#emptied(topic);
    }
  }

  #emptied(topic: string): void {
    this.#subscribers.delete(topic);
    this.#hooks.closed?.(topic);
  }

  /** The topics `subscriber` is in (a new array; empty when none). */
  topicsOf(subscriber: T): string[] {
    const topics = this.#topics.get(subscriber);
    return topics === undefined ? [] : [...topics];
  }

  /** Whether `subscriber` is in `topic`. */
  isSubscribed(subscriber: T, topic: string): boolean {
    return this.#subscribers.get(topic)?.has(subscriber) === true;
  }

  /** The live set of subscribers of `topic`, or undefined when it has none. Do not mutate it. */
  subscribersOf(topic: string): ReadonlySet<T> | undefined {
    return this.#subscribers.get(topic);
  }

  /** The topics that have at least one subscriber. */
  topics(): IterableIterator<string> {
    return this.#subscribers.keys();
  }

  /** How many subscribers `topic` has. */
  subscriberCount(topic: string): number {
    return this.#subscribers.get(topic)?.size ?? 0;
  }

  /** How many topics have at least one subscriber. */
  get topicCount(): number {
    return this.#subscribers.size;
  }

  /** How many subscribers are in at least one topic. */
  get subscriberTotal(): number {
    return this.#topics.size;
  }
}
