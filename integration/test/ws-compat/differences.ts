/**
 * The intentional differences from ws: case id → why we differ. Each id must be named, with its
 * reason, in the "Differences from ws" section of packages/client/README.md or
 * packages/server/README.md (the suite checks it). A case listed here that behaves as ws fails the
 * suite too, so the list can only shrink when the code changes.
 */
export const DIFFERENCES: Readonly<Record<string, string>> = {
  'client.failure-close-code':
    "when this end fails the connection (a limit, bad UTF-8, a protocol error) the close event carries the code of our close frame (1002/1007/1008/1009/1011), not ws's 1006: ws stops reading and never sees the peer's reply; the error event's code is the same in both",
};
