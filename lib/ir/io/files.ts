/**
 * Files a user named (inputs, outputs, checkpoints): a missing file, a folder where a file
 * was meant, or one that cannot be read or written becomes a PhasorError saying which path,
 * what is wrong and what to do, never Node's raw "ENOENT: no such file or directory, open".
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { PhasorError } from "../errors.js";

/** File-system error codes a user's path can cause, in words, with what to do. */
const REASONS: Record<string, string> = {
  ENOENT: "does not exist; check the name (a relative path starts at the working folder)",
  EISDIR: "is a folder; give a file name",
  ENOTDIR: "is not a valid path: a part of it is a file, not a folder",
  EACCES: "cannot be accessed: permission denied; check its permissions or choose another path",
  EPERM: "cannot be accessed: operation not permitted; check its permissions or choose another path",
  EROFS: "is on a read-only file system; choose another path",
  ENOSPC: "cannot be written: no space left on the device",
  EDQUOT: "cannot be written: disk quota exceeded",
  ENAMETOOLONG: "has a name that is too long",
  ELOOP: "has too many symbolic links",
};

/** The reason a file-system call failed, in words; undefined when `e` is not such an error. */
export function fsReason(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return e instanceof Error && typeof code === "string" ? REASONS[code] : undefined;
}

/** A file-system error as a PhasorError naming the path; undefined for any other error. */
export function fileError(e: unknown, what?: string): PhasorError | undefined {
  const why = fsReason(e);
  if (!why) return undefined;
  const x = e as NodeJS.ErrnoException;
  const path = x.path ?? "";
  const missingFolder = x.code === "ENOENT" && path !== "" && !existsSync(dirname(resolve(path)));
  const message = missingFolder ? `${path}: ${folderMissing(path)}` : `${path || "a file"} ${why}`;
  return new PhasorError([{ code: "file", path: what ? [what] : [], message }]);
}

function folderMissing(path: string): string {
  const dir = dirname(resolve(path));
  return `folder ${dir} does not exist; create it first (mkdir -p ${dir}) or choose another path`;
}

/** Refuses `path` unless it is a readable file; `what` names where it came from (an option). */
export function checkReadable(path: string, what = "file"): void {
  const fail = (message: string) => {
    throw new PhasorError([{ code: "file", path: [what], message }]);
  };
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    return fail(`${path} ${fsReason(e) ?? (e as Error).message}`);
  }
  if (isDir) fail(`${path} is a folder; give a file name`);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    fail(`${path} cannot be read: permission denied; check its permissions`);
  }
}

/** Refuses `path` unless a file can be written there: its folder exists and is writable, and it is not a folder. */
export function checkWritable(path: string, what = "file"): void {
  const fail = (message: string) => {
    throw new PhasorError([{ code: "file", path: [what], message: `cannot write ${path}: ${message}` }]);
  };
  const dir = dirname(resolve(path));
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) fail("it is a folder; give a file name");
    if (!canAccess(path, constants.W_OK)) fail("permission denied; check its permissions or choose another path");
    return;
  }
  if (!existsSync(dir)) fail(`folder ${dir} does not exist; create it first (mkdir -p ${dir}) or choose another path`);
  if (!statSync(dir).isDirectory()) fail(`${dir} is a file, not a folder`);
  if (!canAccess(dir, constants.W_OK | constants.X_OK)) fail(`folder ${dir} is not writable; choose another path`);
}

function canAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
