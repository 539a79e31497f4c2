import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import ssh2 from 'ssh2';
import type { Attributes, SFTPWrapper } from 'ssh2';

const { OPEN_MODE, STATUS_CODE } = ssh2.utils.sftp;

/** A file a client wrote over SFTP, as the stand-in remembers it. */
export interface CopiedFile {
  user: string;
  /** Absolute: a relative path is taken from the user's home, as sftp-server does. */
  path: string;
  size: number;
  sha256: string;
}

/** Where sftp-server would start a user: root's home is /root, everyone else's /home/USER. */
export function homeOf(user: string): string {
  return user === 'root' ? '/root' : `/home/${user}`;
}

/**
 * The SFTP subsystem of a simulated server: enough of the protocol to upload files (open,
 * write, close, stat, mkdir, setstat, realpath). Nothing is stored on disk; each file is
 * reported once it is closed. Reads and listings are refused as unsupported.
 */
export function serveSftp(sftp: SFTPWrapper, user: string, onFile: (file: CopiedFile) => void) {
  const open = new Map<string, { path: string; chunks: Map<number, Buffer> }>();
  const directories = new Set<string>([homeOf(user), '/tmp']);
  let nextHandle = 0;
  const resolve = (path: string) => posix.resolve(homeOf(user), path);

  sftp.on('OPEN', (reqId: number, filename: string, flags: number) => {
    if ((flags & OPEN_MODE.WRITE) === 0) {
      sftp.status(reqId, STATUS_CODE.OP_UNSUPPORTED, 'the stand-in only takes uploads');
      return;
    }
    const handle = Buffer.from(String(nextHandle++));
    open.set(handle.toString(), { path: resolve(filename), chunks: new Map() });
    sftp.handle(reqId, handle);
  });

  sftp.on('WRITE', (reqId: number, handle: Buffer, offset: number, data: Buffer) => {
    const file = open.get(handle.toString());
    if (!file) {
      sftp.status(reqId, STATUS_CODE.FAILURE, 'unknown handle');
      return;
    }
    file.chunks.set(offset, Buffer.from(data));
    sftp.status(reqId, STATUS_CODE.OK);
  });

  sftp.on('CLOSE', (reqId: number, handle: Buffer) => {
    const file = open.get(handle.toString());
    if (!file) {
      sftp.status(reqId, STATUS_CODE.FAILURE, 'unknown handle');
      return;
    }
    open.delete(handle.toString());
    const content = assemble(file.chunks);
    onFile({
      user,
      path: file.path,
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    sftp.status(reqId, STATUS_CODE.OK);
  });

  sftp.on('FSTAT', (reqId: number, handle: Buffer) => {
    const file = open.get(handle.toString());
    if (!file) sftp.status(reqId, STATUS_CODE.FAILURE, 'unknown handle');
    else sftp.attrs(reqId, attributes(0o100644, assemble(file.chunks).length));
  });

  const stat = (reqId: number, path: string) => {
    if (directories.has(resolve(path))) sftp.attrs(reqId, attributes(0o040755, 4096));
    else sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE, 'No such file');
  };
  sftp.on('STAT', stat);
  sftp.on('LSTAT', stat);

  sftp.on('MKDIR', (reqId: number, path: string) => {
    directories.add(resolve(path));
    sftp.status(reqId, STATUS_CODE.OK);
  });

  const accept = (reqId: number) => sftp.status(reqId, STATUS_CODE.OK);
  sftp.on('SETSTAT', accept);
  sftp.on('FSETSTAT', accept);

  sftp.on('REALPATH', (reqId: number, path: string) => {
    const absolute = resolve(path);
    sftp.name(reqId, [{ filename: absolute, longname: absolute, attrs: attributes(0o040755, 0) }]);
  });

  for (const unsupported of ['READ', 'OPENDIR', 'READDIR', 'REMOVE', 'RMDIR', 'READLINK',
    'RENAME', 'SYMLINK', 'EXTENDED']) {
    sftp.on(unsupported, (reqId: number) =>
      sftp.status(reqId, STATUS_CODE.OP_UNSUPPORTED, `${unsupported} is not simulated`));
  }
}

/** Chunks may arrive out of order (clients pipeline writes); offsets put them back. */
function assemble(chunks: Map<number, Buffer>): Buffer {
  const size = Math.max(0, ...[...chunks].map(([offset, data]) => offset + data.length));
  const content = Buffer.alloc(size);
  for (const [offset, data] of chunks) data.copy(content, offset);
  return content;
}

function attributes(mode: number, size: number): Attributes {
  const now = Math.floor(Date.now() / 1000);
  return { mode, uid: 1000, gid: 1000, size, atime: now, mtime: now };
}
