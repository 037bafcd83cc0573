/**
 * The dynamic section of an ELF64 little-endian shared library: DT_NEEDED, DT_SONAME, DT_RUNPATH,
 * DT_RPATH. Enough to check, without binutils and without loading a 1 GB library, where the
 * dynamic loader will look for what TensorFlow dlopens (layout.ts). Reads only the headers and the
 * two small tables it needs.
 */
import { open } from 'node:fs/promises';

export interface ElfDynamic {
  soname?: string;
  needed: string[];
  runpath?: string;
  rpath?: string;
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const DT = { NULL: 0, NEEDED: 1, STRTAB: 5, STRSZ: 10, SONAME: 14, RPATH: 15, RUNPATH: 29 } as const;

export class NotElfError extends Error {}

export async function readElfDynamic(file: string): Promise<ElfDynamic> {
  const fh = await open(file, 'r');
  try {
    const read = async (pos: number, len: number) => {
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      if (bytesRead !== len) throw new NotElfError(`${file}: truncated at ${pos}`);
      return buf;
    };
    const eh = Buffer.alloc(64);
    const { bytesRead } = await fh.read(eh, 0, 64, 0);
    if (bytesRead < 64 || eh.readUInt32BE(0) !== 0x7f454c46 || eh[4] !== 2 || eh[5] !== 1) throw new NotElfError(`${file}: not an ELF64 little-endian file`);
    const phoff = Number(eh.readBigUInt64LE(0x20));
    const phentsize = eh.readUInt16LE(0x36);
    const phnum = eh.readUInt16LE(0x38);
    const ph = await read(phoff, phentsize * phnum);
    const loads: { vaddr: number; offset: number; filesz: number }[] = [];
    let dyn: { offset: number; size: number } | undefined;
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      const type = ph.readUInt32LE(o);
      const offset = Number(ph.readBigUInt64LE(o + 8));
      const vaddr = Number(ph.readBigUInt64LE(o + 16));
      const filesz = Number(ph.readBigUInt64LE(o + 32));
      if (type === PT_LOAD) loads.push({ vaddr, offset, filesz });
      if (type === PT_DYNAMIC) dyn = { offset, size: filesz };
    }
    if (!dyn) return { needed: [] }; // statically linked: nothing to resolve
    const d = await read(dyn.offset, dyn.size);
    const entries: [number, number][] = [];
    for (let o = 0; o + 16 <= d.length; o += 16) {
      const tag = Number(d.readBigInt64LE(o));
      if (tag === DT.NULL) break;
      entries.push([tag, Number(d.readBigUInt64LE(o + 8))]);
    }
    const strtabVaddr = entries.find(([t]) => t === DT.STRTAB)?.[1];
    const strsz = entries.find(([t]) => t === DT.STRSZ)?.[1];
    if (strtabVaddr === undefined || strsz === undefined) throw new NotElfError(`${file}: dynamic section without a string table`);
    // DT_STRTAB is an address; the PT_LOAD segment that holds it says where that is in the file.
    const seg = loads.find((l) => strtabVaddr >= l.vaddr && strtabVaddr < l.vaddr + l.filesz);
    if (!seg) throw new NotElfError(`${file}: string table outside every loaded segment`);
    const strtab = await read(strtabVaddr - seg.vaddr + seg.offset, strsz);
    const str = (off: number) => strtab.toString('utf8', off, strtab.indexOf(0, off));
    const out: ElfDynamic = { needed: [] };
    for (const [tag, val] of entries) {
      if (tag === DT.NEEDED) out.needed.push(str(val));
      else if (tag === DT.SONAME) out.soname = str(val);
      else if (tag === DT.RUNPATH) out.runpath = str(val);
      else if (tag === DT.RPATH) out.rpath = str(val);
    }
    return out;
  } finally {
    await fh.close();
  }
}
