/**
 * Streams mode reads every entry of one stream, so each publisher's sequence numbers should
 * arrive one after the other. This remembers the last number seen from each publisher and says
 * what a new one means: the next, a repeat (a publish retried after Redis went away before it
 * answered: Redis may have kept the first try), or a gap (entries trimmed or lost before this node
 * read them). A publisher not seen before starts wherever it is: this node cannot know what came
 * before it started reading.
 */

/** What one sequence number means for its publisher. */
export type SequenceStep =
  | { readonly kind: 'first' | 'next' | 'duplicate' }
  | { readonly kind: 'gap'; readonly first: number; readonly last: number };

/** How many publishers are remembered; the least recently heard one is forgotten past it. */
export const MAX_PUBLISHERS = 4096;

/** The last sequence number of each publisher, for the publishers heard most recently. */
export class SequenceTracker {
  readonly #last = new Map<string, number>();
  readonly #limit: number;

  constructor(limit = MAX_PUBLISHERS) {
    this.#limit = limit;
  }

  /** Record `sequence` from `publisher` and say what it means. */
  observe(publisher: string, sequence: number): SequenceStep {
    const last = this.#last.get(publisher);
    if (last !== undefined && sequence <= last) return { kind: 'duplicate' };
    // Re-inserted, so the Map's order is least recently heard first.
    this.#last.delete(publisher);
    this.#last.set(publisher, sequence);
    if (this.#last.size > this.#limit) this.#last.delete(this.#last.keys().next().value as string);
    if (last === undefined) return { kind: 'first' };
    if (sequence === last + 1) return { kind: 'next' };
    return { kind: 'gap', first: last + 1, last: sequence - 1 };
  }
}
