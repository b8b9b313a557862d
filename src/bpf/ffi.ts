// The whole FFI surface: libbpf.so.1 and the few libc calls the ring buffer
// and the iterator need, declared together, C-like, through koffi.
// Nothing outside src/bpf/ imports this module.
import koffi from 'koffi';

export class BpfError extends Error {
  constructor(message: string, readonly errno = 0, readonly log: string[] = []) {
    super(message);
    this.name = 'BpfError';
  }
}

export type Ptr = bigint;

function loadLib(name: string, fix: string): ReturnType<typeof koffi.load> {
  try {
    return koffi.load(name);
  } catch (e) {
    throw new BpfError(`cannot load ${name}: ${(e as Error).message.split('\n')[0]}; fix: ${fix}`);
  }
}

const libbpf = loadLib('libbpf.so.1', 'install libbpf 1.x (Debian/Ubuntu: apt-get install libbpf1)');
const libc = loadLib('libc.so.6', 'a glibc-based Linux system is required');

koffi.opaque('bpf_object');
koffi.opaque('bpf_program');
koffi.opaque('bpf_map');
koffi.opaque('bpf_link');
koffi.opaque('btf');
const PrintFn = koffi.proto('int libbpf_print_fn(int level, const char *fmt, void *args)');

export const bpf = {
  set_print: libbpf.func('void *libbpf_set_print(libbpf_print_fn *fn)'),
  object_open_file: libbpf.func('bpf_object *bpf_object__open_file(const char *path, void *opts)'),
  object_load: libbpf.func('int bpf_object__load(bpf_object *obj)'),
  object_close: libbpf.func('void bpf_object__close(bpf_object *obj)'),
  object_next_program: libbpf.func('bpf_program *bpf_object__next_program(bpf_object *obj, bpf_program *prev)'),
  object_next_map: libbpf.func('bpf_map *bpf_object__next_map(bpf_object *obj, bpf_map *prev)'),
  program_name: libbpf.func('const char *bpf_program__name(bpf_program *prog)'),
  program_section_name: libbpf.func('const char *bpf_program__section_name(bpf_program *prog)'),
  program_fd: libbpf.func('int bpf_program__fd(bpf_program *prog)'),
  obj_get_info_by_fd: libbpf.func('int bpf_obj_get_info_by_fd(int fd, _Inout_ uint8_t *info, _Inout_ uint32_t *info_len)'),
  program_set_autoload: libbpf.func('int bpf_program__set_autoload(bpf_program *prog, bool autoload)'),
  program_attach: libbpf.func('bpf_link *bpf_program__attach(bpf_program *prog)'),
  program_attach_cgroup: libbpf.func('bpf_link *bpf_program__attach_cgroup(bpf_program *prog, int cgroup_fd)'),
  program_attach_iter: libbpf.func('bpf_link *bpf_program__attach_iter(bpf_program *prog, void *opts)'),
  link_fd: libbpf.func('int bpf_link__fd(bpf_link *link)'),
  link_destroy: libbpf.func('int bpf_link__destroy(bpf_link *link)'),
  iter_create: libbpf.func('int bpf_iter_create(int link_fd)'),
  map_name: libbpf.func('const char *bpf_map__name(bpf_map *map)'),
  map_fd: libbpf.func('int bpf_map__fd(bpf_map *map)'),
  map_set_initial_value: libbpf.func('int bpf_map__set_initial_value(bpf_map *map, const void *data, size_t size)'),
  map_set_max_entries: libbpf.func('int bpf_map__set_max_entries(bpf_map *map, uint32_t max_entries)'),
  map_lookup_elem: libbpf.func('int bpf_map_lookup_elem(int fd, const void *key, _Out_ void *value)'),
  btf_load_vmlinux: libbpf.func('btf *btf__load_vmlinux_btf(void)'),
  btf_find_by_name_kind: libbpf.func('int btf__find_by_name_kind(btf *btf, const char *name, uint32_t kind)'),
  btf_free: libbpf.func('void btf__free(btf *btf)'),
  map_value_size: libbpf.func('uint32_t bpf_map__value_size(bpf_map *map)'),
  num_possible_cpus: libbpf.func('int libbpf_num_possible_cpus(void)'),
  map_update_elem: libbpf.func('int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)'),
};

export const c = {
  open: libc.func('int open(const char *path, int flags)'),
  close: libc.func('int close(int fd)'),
  read: libc.func('long read(int fd, _Out_ uint8_t *buf, size_t count)'),
  mmap: libc.func('void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset)'),
  munmap: libc.func('int munmap(void *addr, size_t length)'),
  sysconf: libc.func('long sysconf(int name)'),
  vsnprintf: libc.func('int vsnprintf(_Out_ uint8_t *buf, size_t size, const char *fmt, void *ap)'),
  poll: libc.func('int poll(_Inout_ uint8_t *fds, unsigned long nfds, int timeout)'),
  pthread_sigmask: libc.func('int pthread_sigmask(int how, const uint8_t *set, _Out_ uint8_t *oldset)'),
};

export const O_RDONLY = 0;
export const O_DIRECTORY = 0o200000;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
export const MAP_FAILED = 0xffffffffffffffffn;
const _SC_PAGESIZE = 30;

export function pageSize(): number {
  return Number(c.sysconf(_SC_PAGESIZE));
}

export function errno(): number {
  return koffi.errno();
}

const SIG_BLOCK = 0, SIG_SETMASK = 2, SIGPROF = 27, SIGSET_BYTES = 128;
/**
 * Run fn with SIGPROF blocked on this thread. The verifier gives up with
 * EAGAIN when a signal is pending, and a profiler (node --cpu-prof, perf)
 * sends this thread one every millisecond, more often than a big program
 * takes to verify; a blocked SIGPROF waits and is delivered afterwards.
 */
export function withProfilerSignalBlocked<T>(fn: () => T): T {
  const set = Buffer.alloc(SIGSET_BYTES), old = Buffer.alloc(SIGSET_BYTES), ignored = Buffer.alloc(SIGSET_BYTES);
  set[(SIGPROF - 1) >> 3]! |= 1 << ((SIGPROF - 1) & 7);
  const blocked = c.pthread_sigmask(SIG_BLOCK, set, old) === 0;
  try { return fn(); } finally { if (blocked) c.pthread_sigmask(SIG_SETMASK, old, ignored); }
}

/** A view of raw memory (e.g. an mmap'ed ring) as an ArrayBuffer, without copying. */
export function view(ptr: Ptr, len: number): ArrayBuffer {
  return koffi.view(ptr, len) as ArrayBuffer;
}

let printCb: unknown = null;
/** Route libbpf's messages (and the verifier log) to `sink`. */
export function setPrint(sink: (level: number, msg: string) => void): void {
  const buf = Buffer.alloc(64 * 1024);
  const cb = koffi.register((level: number, fmt: string, args: unknown) => {
    const n = c.vsnprintf(buf, buf.length, fmt, args);
    sink(level, buf.subarray(0, Math.max(0, Math.min(n, buf.length - 1))).toString('utf8'));
    return 0;
  }, koffi.pointer(PrintFn));
  bpf.set_print(cb);
  if (printCb) koffi.unregister(printCb as never);
  printCb = cb;
}

/**
 * True when the reader of fd went away (POLLERR or POLLHUP on a pipe or
 * socket), so a quiet program under `| head -1` can stop without waiting for
 * its next write. Never blocks.
 */
export function outputGone(fd: number): boolean {
  const b = Buffer.alloc(8); // struct pollfd { int fd; short events; short revents; }
  b.writeInt32LE(fd, 0);
  if ((c.poll(b, 1, 0) as number) <= 0) return false;
  const POLLERR = 0x8, POLLHUP = 0x10;
  return (b.readInt16LE(6) & (POLLERR | POLLHUP)) !== 0;
}
