/**
 * The Gearman binary protocol: a 12-byte header (`\0REQ` or `\0RES`, a big-endian type and a
 * big-endian body size) followed by the body, whose arguments are separated by NUL bytes. The
 * last argument of a packet is opaque data and may itself contain NUL bytes, so a body is split
 * into at most as many parts as the packet type has arguments.
 */
export const PacketType = {
  CanDo: 1,
  CantDo: 2,
  ResetAbilities: 3,
  PreSleep: 4,
  Noop: 6,
  SubmitJob: 7,
  JobCreated: 8,
  GrabJob: 9,
  NoJob: 10,
  JobAssign: 11,
  WorkStatus: 12,
  WorkComplete: 13,
  WorkFail: 14,
  EchoReq: 16,
  EchoRes: 17,
  Error: 19,
  SubmitJobHigh: 21,
  SetClientId: 22,
  WorkException: 25,
  OptionReq: 26,
  OptionRes: 27,
  WorkData: 28,
  WorkWarning: 29,
  GrabJobUniq: 30,
  JobAssignUniq: 31,
  SubmitJobLow: 33,
} as const;

export type PacketType = (typeof PacketType)[keyof typeof PacketType];

export type Magic = 'REQ' | 'RES';

export interface Packet {
  magic: Magic;
  type: number;
  args: Buffer[];
}

const HEADER_SIZE = 12;

/** Bodies larger than this are refused: gearmand itself caps packets well below it. */
const MAX_BODY_SIZE = 64 * 1024 * 1024;

const ARGUMENT_COUNT: Record<number, number> = {
  [PacketType.CanDo]: 1,
  [PacketType.CantDo]: 1,
  [PacketType.ResetAbilities]: 0,
  [PacketType.PreSleep]: 0,
  [PacketType.Noop]: 0,
  [PacketType.SubmitJob]: 3,
  [PacketType.JobCreated]: 1,
  [PacketType.GrabJob]: 0,
  [PacketType.NoJob]: 0,
  [PacketType.JobAssign]: 3,
  [PacketType.WorkStatus]: 3,
  [PacketType.WorkComplete]: 2,
  [PacketType.WorkFail]: 1,
  [PacketType.EchoReq]: 1,
  [PacketType.EchoRes]: 1,
  [PacketType.Error]: 2,
  [PacketType.SubmitJobHigh]: 3,
  [PacketType.SetClientId]: 1,
  [PacketType.WorkException]: 2,
  [PacketType.OptionReq]: 1,
  [PacketType.OptionRes]: 1,
  [PacketType.WorkData]: 2,
  [PacketType.WorkWarning]: 2,
  [PacketType.GrabJobUniq]: 0,
  [PacketType.JobAssignUniq]: 4,
  [PacketType.SubmitJobLow]: 3,
};

export function encodePacket(magic: Magic, type: PacketType, args: (string | Buffer)[] = []) {
  const parts: Buffer[] = [];
  args.forEach((arg, index) => {
    if (index > 0) parts.push(Buffer.from([0]));
    parts.push(typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg);
  });
  const body = Buffer.concat(parts);

  const header = Buffer.alloc(HEADER_SIZE);
  header.write(`\0${magic}`, 0, 'latin1');
  header.writeUInt32BE(type, 4);
  header.writeUInt32BE(body.length, 8);
  return Buffer.concat([header, body]);
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Splits a byte stream into packets; feed it every chunk a socket gives. */
export class PacketDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Packet[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const packets: Packet[] = [];

    while (this.buffered.length >= HEADER_SIZE) {
      const magic = this.buffered.toString('latin1', 0, 4);
      if (magic !== '\0REQ' && magic !== '\0RES') {
        throw new ProtocolError(`bad packet magic ${JSON.stringify(magic)}`);
      }

      const type = this.buffered.readUInt32BE(4);
      const size = this.buffered.readUInt32BE(8);
      if (size > MAX_BODY_SIZE) throw new ProtocolError(`packet body of ${size} bytes is too big`);
      if (this.buffered.length < HEADER_SIZE + size) break;

      const body = this.buffered.subarray(HEADER_SIZE, HEADER_SIZE + size);
      this.buffered = this.buffered.subarray(HEADER_SIZE + size);
      packets.push({ magic: magic === '\0REQ' ? 'REQ' : 'RES', type, args: splitArgs(type, body) });
    }

    return packets;
  }
}

function splitArgs(type: number, body: Buffer): Buffer[] {
  const count = ARGUMENT_COUNT[type];
  if (count === 0) return [];
  if (count === undefined) return [body];

  const args: Buffer[] = [];
  let start = 0;
  while (args.length < count - 1) {
    const end = body.indexOf(0, start);
    if (end < 0) break;
    args.push(body.subarray(start, end));
    start = end + 1;
  }
  args.push(body.subarray(start));
  return args;
}

export function packetName(type: number): string {
  const entry = Object.entries(PacketType).find(([, value]) => value === type);
  return entry ? entry[0] : `type ${type}`;
}
