import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.ts';

describe('waitFor', () => {
  it('resolves once the condition holds', async () => {
    let ready = false;
    setTimeout(() => (ready = true), 20);
    let checks = 0;
    await waitFor(() => {
      checks++;
      return ready;
    });
    expect(ready).toBe(true);
    expect(checks).toBeGreaterThan(1);
  });

  it('rejects, naming what it waited for, when the condition never holds', async () => {
    await expect(waitFor(() => false, { timeoutMs: 30, what: 'the echo' })).rejects.toThrow('timed out after 30 ms waiting for the echo');
  });
});
