/**
 * The intentional differences from ws: case id → why we differ. Each id must be named, with its
 * reason, in the "Differences from ws" section of packages/client/README.md or
 * packages/server/README.md (the suite checks it). A case listed here that behaves as ws fails the
 * suite too, so the list can only shrink when the code changes.
 */
export const DIFFERENCES: Readonly<Record<string, string>> = {
  'client.binaryType-fragments':
    "binaryType 'fragments' gives the whole message as one Buffer in an array: @rfc6455/protocol assembles a message before it is delivered (and inflates it whole under permessage-deflate)",
  'client.bufferedAmount-immediate':
    'frames sent in one tick are held (corked) until the end of the tick and leave in one writev, so right after send() bufferedAmount counts them; it is 0 again once the tick ends',
  'client.failure-close-code':
    "when this end fails the connection (a limit, bad UTF-8, a protocol error) the close event carries the code of our close frame (1002/1007/1008/1009/1011), not ws's 1006: ws stops reading and never sees the peer's reply; the error event's code is the same in both",
};
