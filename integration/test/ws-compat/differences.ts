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
  'server.option.perMessageDeflate.default-threshold-context-takeover':
    "without ws's threshold option our server sends messages under compressionThreshold (1024 bytes) uncompressed with context takeover too, where ws compresses every message: measured, a message that small shrinks too little to pay for the CPU (see the server README)",
  'server.option.perMessageDeflate.zlibOptions-any':
    'zlibDeflateOptions takes level and memLevel, zlibInflateOptions nothing; any other zlib option throws a TypeError naming it instead of being passed to zlib: the window is negotiated and our codec inflates in one shot with the peer window as a preset dictionary, so options such as windowBits or dictionary would break it, and chunkSize sizes buffers the codec sizes itself',
};
