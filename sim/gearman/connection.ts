import { connect, type Socket } from 'node:net';

import { encodePacket, PacketDecoder, packetName, type Packet, type PacketType } from './packet.ts';

export interface ConnectionHandlers {
  packet(packet: Packet): void;
  /** Called once, when the socket is gone for any reason (including `close()`). */
  closed(error: Error | undefined): void;
}

/** One TCP connection to a Gearman server, speaking requests and reading responses. */
export class PacketConnection {
  private readonly decoder = new PacketDecoder();
  private closedFlag = false;

  private constructor(
    private readonly socket: Socket,
    private readonly handlers: ConnectionHandlers,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.finish(error));
    socket.on('close', () => this.finish(undefined));
  }

  static open(host: string, port: number, handlers: ConnectionHandlers, timeoutMs = 10_000) {
    return new Promise<PacketConnection>((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connecting to ${host}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);

      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new PacketConnection(socket, handlers));
      });
    });
  }

  get isOpen() {
    return !this.closedFlag;
  }

  /** Resolves once the packet is handed to the kernel; rejects when the socket is gone. */
  send(type: PacketType, args: (string | Buffer)[] = []): Promise<void> {
    if (this.closedFlag) {
      return Promise.reject(new Error(`cannot send ${packetName(type)}: connection closed`));
    }

    return new Promise((resolve, reject) => {
      this.socket.write(encodePacket('REQ', type, args), (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
  }

  close(): Promise<void> {
    if (this.closedFlag) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      // A server that never answers the FIN must not hold up shutdown.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }

  private receive(chunk: Buffer) {
    let packets: Packet[];
    try {
      packets = this.decoder.push(chunk);
    } catch (error) {
      this.socket.destroy(error as Error);
      return;
    }
    for (const packet of packets) {
      if (this.closedFlag) return;
      this.handlers.packet(packet);
    }
  }

  private finish(error: Error | undefined) {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.socket.destroy();
    this.handlers.closed(error);
  }
}
