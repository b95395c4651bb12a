import { readdir, readFile, stat } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { fsError, invalidInput, messageOf } from "./errors.js";

/** A file-system path: a string, or raw bytes for names that are not valid UTF-8. */
export type FsPath = string | Buffer;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A file name as text. Valid UTF-8 is returned as is; any byte that is not part of a valid UTF-8
 * sequence becomes `%XX`, and `%` itself becomes `%25`, so distinct byte names give distinct ids.
 */
export function nameToText(name: Buffer): { text: string; lossless: boolean } {
  try {
    return { text: utf8.decode(name), lossless: true };
  } catch {
    let out = "";
    let i = 0;
    while (i < name.length) {
      const b = name[i]!;
      const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      if (len === 1) {
        out += b === 0x25 ? "%25" : String.fromCharCode(b);
        i += 1;
        continue;
      }
      if (len > 1 && i + len <= name.length) {
        try {
          out += utf8.decode(name.subarray(i, i + len));
          i += len;
          continue;
        } catch {
          /* fall through to escaping the lead byte */
        }
      }
      out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
      i += 1;
    }
    return { text: out, lossless: false };
  }
}

/** A path as text for ids and messages (see {@link nameToText}). */
export function pathText(path: FsPath): string {
  return typeof path === "string" ? path : nameToText(path).text;
}

/** Join path parts, staying a string while every part is a string. */
export function joinPath(dir: FsPath, name: FsPath): FsPath {
  if (typeof dir === "string" && typeof name === "string") return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
  const d = Buffer.isBuffer(dir) ? dir : Buffer.from(dir);
  const n = Buffer.isBuffer(name) ? name : Buffer.from(name);
  const sep = d.length > 0 && d[d.length - 1] === 0x2f ? [] : [Buffer.from("/")];
  return Buffer.concat([d, ...sep, n]);
}

/** What kind of thing a path is, or `undefined` when it does not exist. */
export async function kindOf(path: FsPath): Promise<"file" | "dir" | "other" | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? "dir" : s.isFile() ? "file" : "other";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw fsError(error, pathText(path), "stat");
  }
}

/** Read a whole file; a missing or unreadable file is an AssayError naming it. */
export async function readBytes(path: FsPath): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw fsError(error, pathText(path), "read");
  }
}

/** Read a file as UTF-8 text (a leading byte-order mark is dropped). */
export async function readText(path: FsPath): Promise<string> {
  const bytes = await readBytes(path);
  const text = bytes.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Gunzip when the bytes start with the gzip magic number; otherwise return them unchanged. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (error) {
      throw invalidInput(`${file} looks gzip-compressed but cannot be decompressed: ${messageOf(error)}`, { file }, error);
    }
  }
  return bytes;
}

/** One directory entry with its name as bytes and as text. */
export interface Entry {
  name: Buffer;
  text: string;
  path: FsPath;
  kind: "file" | "dir";
}

/**
 * The entries of a directory, sorted by name bytes, hidden entries (".…") left out. Symbolic links
 * are followed; broken links and sockets are skipped.
 */
export async function listDir(dir: FsPath): Promise<Entry[]> {
  let dirents;
  try {
    dirents = await readdir(dir, { withFileTypes: true, encoding: "buffer" });
  } catch (error) {
    throw fsError(error, pathText(dir), "list");
  }
  const out: Entry[] = [];
  for (const d of dirents) {
    const name = d.name as unknown as Buffer;
    if (name[0] === 0x2e) continue;
    const { text, lossless } = nameToText(name);
    const path = joinPath(dir, lossless ? text : name);
    let kind: Entry["kind"] | undefined = d.isDirectory() ? "dir" : d.isFile() ? "file" : undefined;
    if (d.isSymbolicLink()) {
      const k = await kindOf(path);
      kind = k === "dir" || k === "file" ? k : undefined;
    }
    if (kind) out.push({ name, text, path, kind });
  }
  out.sort((a, b) => Buffer.compare(a.name, b.name));
  return out;
}

/** The lower-cased extension of a file name, with the dot (`".png"`), or `""`. */
export function extname(name: string): string {
  const slash = name.lastIndexOf("/");
  const dot = name.lastIndexOf(".");
  return dot > slash + 1 ? name.slice(dot).toLowerCase() : "";
}

/** Parse a class list: an array of names, or a text file with one name per line. */
export async function resolveClassList(classes: readonly string[] | string | undefined): Promise<string[] | undefined> {
  if (classes === undefined) return undefined;
  if (typeof classes !== "string") return [...classes];
  const text = await readText(classes);
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}
