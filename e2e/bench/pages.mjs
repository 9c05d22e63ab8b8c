// Distinct physical pages held resident by a set of processes: the memory they occupy with each
// page counted once, however many of them map it, and counted whole even when a process outside
// the set (the X server, the desktop) shares it. The strictest of the bench's memory figures:
// RSS summed over processes counts a shared library once per process, PSS shares each page out
// among every process mapping it, this counts each page once and entirely.
//
// Reads /proc/PID/smaps for the mappings that hold resident pages, then /proc/PID/pagemap for
// their page frame numbers. The kernel shows page frame numbers to root only (CAP_SYS_ADMIN);
// for anyone else they read as 0 and residentPagesMiB returns null rather than a wrong figure.

import { openSync, readSync, closeSync, readFileSync } from 'node:fs';

const PAGE = 4096;
const PRESENT = 1n << 63n;
const PFN_MASK = (1n << 55n) - 1n;
const CHUNK = 1 << 16; // pagemap entries read at once (512 KiB)

/** The [start, end) ranges of `pid`'s mappings that hold at least one resident page. */
function residentRanges(pid) {
  const ranges = [];
  let current = null;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = line.match(/^([0-9a-f]+)-([0-9a-f]+) /);
    if (head) {
      current = [BigInt(`0x${head[1]}`), BigInt(`0x${head[2]}`)];
      continue;
    }
    const rss = line.match(/^Rss:\s+(\d+) kB/);
    if (rss && current && Number(rss[1]) > 0) ranges.push(current);
  }
  return ranges;
}

/**
 * MiB of distinct physical pages resident in `pids` together, or null when the page frame
 * numbers are hidden (not root) or a process is gone.
 */
export function residentPagesMiB(pids) {
  const frames = new Set();
  const buf = Buffer.alloc(CHUNK * 8);
  try {
    for (const pid of pids) {
      const fd = openSync(`/proc/${pid}/pagemap`, 'r');
      try {
        let present = 0;
        for (const [start, end] of residentRanges(pid)) {
          // A mapping can reserve gigabytes (JavaScriptCore's heap cages) and touch a few pages:
          // read its pagemap in slices of CHUNK entries.
          const first = Number(start / BigInt(PAGE));
          const last = Number(end / BigInt(PAGE));
          for (let page = first; page < last; page += CHUNK) {
            const count = Math.min(CHUNK, last - page);
            const got = readSync(fd, buf, 0, count * 8, page * 8) / 8;
            for (let i = 0; i < got; i++) {
              const entry = buf.readBigUInt64LE(i * 8);
              if ((entry & PRESENT) === 0n) continue;
              present++;
              const pfn = entry & PFN_MASK;
              if (pfn !== 0n) frames.add(pfn);
            }
          }
        }
        if (present > 0 && frames.size === 0) return null; // frame numbers hidden
      } finally {
        closeSync(fd);
      }
    }
  } catch {
    return null;
  }
  return (frames.size * PAGE) / (1024 * 1024);
}
