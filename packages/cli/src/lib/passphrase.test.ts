/**
 * `--passphrase` without a value, in a real terminal (tmux): the prompt, nothing echoed, and the
 * key unlocked for a server that asks for a client certificate.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, onCleanUp } from '../../test/cli.ts';
import { fixture, httpsServer, ourServer } from '../../test/servers.ts';
import { TmuxSession } from '../../test/tmux.ts';

afterEach(cleanUp);

describe('--passphrase without a value', () => {
  it('asks on the terminal without echo, then uses it for the key', async () => {
    const http = httpsServer({ ca: readFileSync(fixture('ca.pem')), requestCert: true, rejectUnauthorized: true });
    const { url } = await ourServer({ closeAfter: 1, http });
    const tls = ['--ca', fixture('ca.pem'), '--cert', fixture('client.pem'), '--key', fixture('client-key.pem'), '--passphrase'];

    const tty = TmuxSession.start(['-c', url, ...tls, '-x', 'unlocked']);
    onCleanUp(() => tty.kill());
    await tty.waitFor(/^Passphrase: ?$/m);
    tty.type('open-sesame');
    // Typed, and not shown.
    expect(tty.screen()).not.toContain('open-sesame');
    tty.press('Enter');
    await tty.waitFor(/^< unlocked$/m);
    expect(await tty.exitCode()).toBe(0);
    expect(tty.screen()).not.toContain('open-sesame');

    const wrong = TmuxSession.start(['-c', url, ...tls, '-x', 'x']);
    onCleanUp(() => wrong.kill());
    await wrong.waitFor(/^Passphrase: ?$/m);
    wrong.type('guess');
    wrong.press('Enter');
    expect(await wrong.exitCode()).toBe(1);
  });
});
