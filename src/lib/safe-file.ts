// Creating output files so that nobody else can redirect them. Every file is created with
// O_CREAT | O_EXCL | O_NOFOLLOW under a random temporary name in its final directory, then renamed
// into place: a symlink planted under the final name is replaced (rename never follows it), and a
// symlink planted under the temporary name makes the create fail instead of writing through it.
//
// The directory itself must be safe to write in: see checkOutputDir. Used for the request journal,
// the live state file and (through the same rules) envelopes.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  statfsSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export class UnsafeOutputError extends Error {
  readonly code: string;
  readonly exitCode = 2;
  constructor(message: string, code = 'E_OUTPUT_UNSAFE') {
    super(message);
    this.name = 'UnsafeOutputError';
    this.code = code;
  }
}

/** A write that failed for lack of space (or a read-only / broken disk): one line, exit 1. */
export class OutputWriteError extends Error {
  readonly code: string;
  readonly exitCode = 1;
  constructor(path: string, cause: unknown) {
    const errno = (cause as NodeJS.ErrnoException | null)?.code;
    const what =
      errno === 'ENOSPC' || errno === 'EDQUOT'
        ? 'no space left on the device'
        : errno === 'EROFS'
          ? 'the file system is read-only'
          : (errno ?? (cause instanceof Error ? cause.message : String(cause)));
    super(`cannot write ${path}: ${what}`);
    this.name = 'OutputWriteError';
    this.code = errno === 'ENOSPC' || errno === 'EDQUOT' ? 'E_DISK_FULL' : 'E_OUTPUT_WRITE';
  }
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

function uid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

/**
 * Makes `dir` (recursively) and checks it is a directory the current user can own safely:
 *  - not a symlink, unless the link itself belongs to the current user (then its target is checked);
 *  - owned by the current user (else another user could plant links or files in it);
 *  - not writable by others unless the sticky bit is set (else anyone could rename our files).
 * Group-writable directories are accepted (user-private groups make them common and safe).
 * Returns the directory. Throws UnsafeOutputError (exit 2) with the reason.
 */
export function checkOutputDir(dir: string): string {
  // Node's recursive mkdir never returns for a path under /proc (it retries ENOENT forever):
  // judge the nearest existing ancestor before creating anything.
  if (isPseudoFs(nearestExisting(resolve(dir))))
    throw new UnsafeOutputError(
      `refusing output directory ${dir}: it is on a kernel pseudo file system (/proc, /sys, /dev), not a disk`,
      'E_OUTPUT_DIR',
    );
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    throw new UnsafeOutputError(
      `cannot create the output directory ${dir} (${errno ?? String(error)})`,
      'E_OUTPUT_DIR',
    );
  }
  const me = uid();
  const link = lstatSync(dir);
  if (link.isSymbolicLink() && me !== null && link.uid !== me)
    throw new UnsafeOutputError(
      `refusing output directory ${dir}: it is a symlink owned by another user (uid ${link.uid})`,
    );
  const info = statSync(dir);
  if (!info.isDirectory())
    throw new UnsafeOutputError(`output path ${dir} is not a directory`, 'E_OUTPUT_DIR');
  if (isPseudoFs(dir))
    throw new UnsafeOutputError(
      `refusing output directory ${dir}: it is on a kernel pseudo file system (/proc, /sys, /dev), not a disk`,
      'E_OUTPUT_DIR',
    );
  if (me === null) return dir; // no POSIX ownership (Windows)
  if (info.uid !== me)
    throw new UnsafeOutputError(
      `refusing output directory ${dir}: owned by uid ${info.uid}, not by you (uid ${me}); use a directory of your own`,
    );
  if ((info.mode & 0o002) !== 0 && (info.mode & 0o1000) === 0)
    throw new UnsafeOutputError(
      `refusing output directory ${dir}: anyone can write to it and it has no sticky bit (chmod o-w or +t)`,
    );
  return dir;
}

/** A private subdirectory (mode 0700) of a checked directory, e.g. `<out>/.bench`; refuses a planted link. */
export function privateSubdir(parent: string, name: string): string {
  const dir = join(parent, name);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new UnsafeOutputError(
        `cannot create ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        'E_OUTPUT_DIR',
      );
  }
  const info = lstatSync(dir);
  const me = uid();
  if (info.isSymbolicLink() || !info.isDirectory())
    throw new UnsafeOutputError(`refusing ${dir}: it is not a plain directory (a planted link?)`);
  if (me !== null && info.uid !== me)
    throw new UnsafeOutputError(`refusing ${dir}: owned by uid ${info.uid}, not by you (uid ${me})`);
  return dir;
}

/** statfs magic numbers of kernel pseudo file systems (proc, sysfs, cgroup, cgroup2, debugfs, securityfs, devpts). */
const PSEUDO_FS = new Set([0x9fa0, 0x62656572, 0x27e0eb, 0x63677270, 0x64626720, 0x73636673, 0x1cd1]);

function nearestExisting(path: string): string {
  let current = path;
  for (;;) {
    try {
      lstatSync(current);
      return current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

function isPseudoFs(dir: string): boolean {
  let real = dir;
  try {
    real = realpathSync(dir);
  } catch {
    // keep the given path
  }
  if (/^\/(proc|sys|dev)(\/|$)/.test(real)) return true;
  try {
    return PSEUDO_FS.has(Number(statfsSync(real).type));
  } catch {
    return false;
  }
}

function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
}

/**
 * Opens a brand-new file that will be `path`: created exclusively (no-follow) under a random name,
 * then renamed over `path` at once, so the caller writes through its own descriptor from the start.
 */
export async function createExclusive(path: string, mode = 0o644): Promise<FileHandle> {
  const temp = tempNameFor(path);
  let handle: FileHandle;
  try {
    handle = await open(temp, CREATE_FLAGS, mode);
  } catch (error) {
    throw new OutputWriteError(path, error);
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw new OutputWriteError(path, error);
  }
  return handle;
}

/** Writes `data` to `path` atomically: exclusive no-follow temp file, fsync, rename. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const temp = tempNameFor(path);
  let handle: FileHandle | null = null;
  try {
    handle = await open(temp, CREATE_FLAGS, mode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw new OutputWriteError(path, error);
  }
}

/** Synchronous writeFileAtomic, for exit paths that cannot await. */
export function writeFileAtomicSync(path: string, data: string, mode = 0o644): void {
  const temp = tempNameFor(path);
  let fd: number | null = null;
  try {
    fd = openSync(temp, CREATE_FLAGS, mode);
    writeSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
    throw new OutputWriteError(path, error);
  }
}
