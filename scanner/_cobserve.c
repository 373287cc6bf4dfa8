/* A repository's observable state, without interpreting it: the input of a no-change refresh.
 *
 * `observe(location, threads)` makes the file-system calls a walk of `location` makes (and a
 * few more), and returns what they answered as one byte string, or None where it met
 * something it does not vouch for (an unreadable directory, a symlink loop, an entry that
 * changed while it looked). The walk's result (`scan_repo`) is a function of these answers:
 *
 * - the repository folder, then each folder in it (a family, or anything else): its own
 *   `(inode, mode, size, mtime, ctime)`, then its entries sorted by name, each with its
 *   `d_type`; a symlink (or an unknown type) also with the `stat` of its target;
 * - a root entry named `*.py` or `*.yaml` (a combined family): the `stat` of the file;
 * - in a family folder, `package.py` and `package.yaml` (an unversioned family): their `stat`;
 * - then, for each folder entry of a family (a version), in order: the `stat` of
 *   `<entry>/package.py`, and of `<entry>/package.yaml` when `package.py` is not a regular file.
 *
 * Every `stat` record holds the inode and the change time: a folder's entries cannot change
 * without its mtime and ctime changing, and a file cannot be rewritten or replaced without its
 * ctime (or inode) changing. No one can set a change time back, so once anything the walk
 * reads has changed, no later observation equals an earlier one
 * (`rezsnap/snapshot/_unchanged.py` builds on that).
 *
 * The family folders are listed on several threads, without the GIL (more where a few `stat`
 * calls show a network file system); the versions of big families are then looked up in
 * slices, on the same threads.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "_stat_times.h"

#define MAX_THREADS 64

typedef struct {
    char *data;
    size_t size, capacity;
    int failed; /* out of memory, or something not vouched for: the observation is void */
} Buffer;

/* Room for `count` more bytes in `out` (at least doubling it); 0 when out of memory. */
static int reserve(Buffer *out, size_t count) {
    if (out->size + count <= out->capacity) return 1;
    size_t capacity = out->capacity ? out->capacity : 256; /* small: 2,500 blocks of a page each fault 10 MB in */
    while (capacity < out->size + count) capacity *= 2;
    char *grown = realloc(out->data, capacity);
    if (grown == NULL) {
        out->failed = 1;
        return 0;
    }
    out->data = grown;
    out->capacity = capacity;
    return 1;
}

static void put(Buffer *out, const void *bytes, size_t count) {
    if (out->failed || !reserve(out, count)) return;
    memcpy(out->data + out->size, bytes, count);
    out->size += count;
}

static void put_byte(Buffer *out, char tag) { put(out, &tag, 1); }

static void put_stat(Buffer *out, const struct stat *info) {
    int64_t fields[7] = {
        (int64_t)info->st_ino,
        (int64_t)info->st_mode,
        (int64_t)info->st_size,
        (int64_t)MTIME(*info).tv_sec, (int64_t)MTIME(*info).tv_nsec,
        (int64_t)CTIME(*info).tv_sec, (int64_t)CTIME(*info).tv_nsec,
    };
    put(out, fields, sizeof fields);
}

/* The `stat` (following symlinks) of `name` in `fd`: 's' and the stat, '-' when absent;
 * anything else voids the observation. Returns the mode (0: absent). */
static mode_t put_lookup(Buffer *out, int fd, const char *name) {
    struct stat info;
    if (fstatat(fd, name, &info, 0) == 0) {
        put_byte(out, 's');
        put_stat(out, &info);
        return info.st_mode;
    }
    if (errno == ENOENT) put_byte(out, '-');
    else out->failed = 1; /* EACCES, ELOOP, ENOTDIR (changed meanwhile)...: the walk reports it */
    return 0;
}

typedef struct {
    size_t offset; /* of the name in the listing's names, while they are read */
    const char *name;
    unsigned char type;
} Entry;

/* A folder's entries, sorted by name; one per thread, reused from folder to folder. */
typedef struct {
    char *names;
    size_t names_size, names_capacity;
    Entry *entries;
    size_t count, capacity;
} Listing;

static void free_listing(Listing *listing) {
    free(listing->names);
    free(listing->entries);
}

static int add_entry(Listing *listing, const char *name, unsigned char type) {
    if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) return 0;
    size_t length = strlen(name) + 1;
    if (listing->names_size + length > listing->names_capacity) {
        size_t capacity = listing->names_capacity ? listing->names_capacity : 16384;
        while (capacity < listing->names_size + length) capacity *= 2;
        char *grown = realloc(listing->names, capacity);
        if (grown == NULL) return -1;
        listing->names = grown;
        listing->names_capacity = capacity;
    }
    if (listing->count == listing->capacity) {
        size_t capacity = listing->capacity ? listing->capacity * 2 : 256;
        Entry *grown = realloc(listing->entries, capacity * sizeof(Entry));
        if (grown == NULL) return -1;
        listing->entries = grown;
        listing->capacity = capacity;
    }
    memcpy(listing->names + listing->names_size, name, length);
    listing->entries[listing->count++] = (Entry){listing->names_size, NULL, type};
    listing->names_size += length;
    return 0;
}

#if defined(__linux__)
#include <sys/syscall.h>

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* The entries of the open folder `fd`, read with getdents64 itself: readdir's fdopendir
 * costs three more calls a folder (fstat, two fcntl), 15% of an observation. */
static int read_entries(int fd, Listing *listing) {
    _Alignas(8) char buffer[32768];
    for (;;) {
        long size = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
        if (size <= 0) return size == 0 ? 0 : -1;
        for (long at = 0; at < size;) {
            struct linux_dirent64 *entry = (struct linux_dirent64 *)(buffer + at);
            at += entry->d_reclen;
            if (add_entry(listing, entry->d_name, entry->d_type) != 0) return -1;
        }
    }
}
#else
static int read_entries(int fd, Listing *listing) {
    int copy = dup(fd);
    DIR *folder = copy < 0 ? NULL : fdopendir(copy);
    if (folder == NULL) {
        if (copy >= 0) close(copy);
        return -1;
    }
    struct dirent *entry;
    int failed = 0;
    errno = 0;
    while (!failed && (entry = readdir(folder)) != NULL) failed = add_entry(listing, entry->d_name, entry->d_type) != 0;
    if (errno != 0) failed = 1;
    closedir(folder);
    return failed ? -1 : 0;
}
#endif

static int by_name(const void *a, const void *b) { return strcmp(((const Entry *)a)->name, ((const Entry *)b)->name); }

/* The folder `name` of `parent`, opened: its own stat, then its entries sorted by name in
 * `listing`. Returns its descriptor (for the `*at` calls), or -1 with `out` failed. */
static int open_listed(Buffer *out, int parent, const char *name, Listing *listing) {
    listing->count = listing->names_size = 0;
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
    struct stat info;
    if (fd < 0 || fstat(fd, &info) != 0 || read_entries(fd, listing) != 0) {
        if (fd >= 0) close(fd);
        out->failed = 1;
        return -1;
    }
    put_byte(out, 'D');
    put_stat(out, &info);
    for (size_t i = 0; i < listing->count; i++) listing->entries[i].name = listing->names + listing->entries[i].offset;
    if (listing->count > 1) qsort(listing->entries, listing->count, sizeof(Entry), by_name);
    return fd;
}

/* One entry of a listing: its name and type, with its target's stat for a symlink or an
 * unknown type. Returns the mode of what it names (0: absent or unknown). */
static mode_t put_entry(Buffer *out, int fd, const Entry *entry) {
    put(out, entry->name, strlen(entry->name) + 1);
    put_byte(out, (char)entry->type);
    switch (entry->type) {
    case DT_DIR: return S_IFDIR;
    case DT_REG: return S_IFREG;
    case DT_LNK:
    case DT_UNKNOWN: return put_lookup(out, fd, entry->name);
    default: return S_IFIFO; /* a FIFO, socket or device: only its type matters */
    }
}

static int has_suffix(const char *name, const char *suffix) {
    size_t length = strlen(name), suffix_length = strlen(suffix);
    return length >= suffix_length && strcmp(name + length - suffix_length, suffix) == 0;
}

/* Version lookups per task: a family with more version folders is looked up in slices on
 * several threads, so that its lookups do not form one long serial chain on a network file
 * system (the benchmark's biggest family has 2,395 versions: 4 s serially at 0.5 ms a call). */
#define SLICE 64

/* One family's part of the observation: its listing, then the lookups of its version
 * folders (in the listing's order), in `slices` buffers. */
typedef struct {
    const char *name;
    Buffer listing;
    Buffer *lookups;
    size_t slices;
    char *versions; /* the version folders' names, NUL-separated, for the slices */
    size_t *offsets;
    size_t version_count;
} Family;

/* The stat of `<version>/package.py` in the family folder `fd`, and of `<version>/package.yaml`
 * when that is not a regular file. */
static void put_definition_lookups(Buffer *out, int fd, const char *version) {
    char path[NAME_MAX + sizeof "/package.yaml"];
    size_t length = strlen(version);
    if (length > NAME_MAX) {
        out->failed = 1;
        return;
    }
    memcpy(path, version, length);
    memcpy(path + length, "/package.py", sizeof "/package.py");
    if (!S_ISREG(put_lookup(out, fd, path)) && !out->failed) {
        memcpy(path + length, "/package.yaml", sizeof "/package.yaml");
        put_lookup(out, fd, path);
    }
}

static void look_up_slice(Family *family, int fd, size_t slice) {
    Buffer *out = &family->lookups[slice];
    size_t end = (slice + 1) * SLICE < family->version_count ? (slice + 1) * SLICE : family->version_count;
    for (size_t i = slice * SLICE; i < end && !out->failed; i++)
        put_definition_lookups(out, fd, family->versions + family->offsets[i]);
}

/* The family's listing; its lookups too where it has at most SLICE versions, else the
 * names of its versions, for `look_up_later`. */
static void observe_family(Family *family, int root, Listing *listing) {
    Buffer *out = &family->listing;
    int fd = open_listed(out, root, family->name, listing);
    if (fd < 0) return;
    size_t versions = 0, names_size = 0;
    for (size_t i = 0; i < listing->count && !out->failed; i++) {
        const Entry *entry = &listing->entries[i];
        mode_t mode = put_entry(out, fd, entry);
        if ((strcmp(entry->name, "package.py") == 0 || strcmp(entry->name, "package.yaml") == 0)
            && entry->type != DT_LNK && entry->type != DT_UNKNOWN)
            put_lookup(out, fd, entry->name); /* an unversioned family's definition (a link's is put) */
        if (S_ISDIR(mode)) {
            names_size += strlen(entry->name) + 1;
            listing->entries[versions++] = *entry; /* the versions, in order, at the front: entries[i] is read */
        }
    }
    family->version_count = versions;
    family->slices = (versions + SLICE - 1) / SLICE;
    family->lookups = calloc(family->slices + 1, sizeof(Buffer));
    if (family->lookups == NULL) out->failed = 1;
    if (!out->failed && versions <= SLICE) {
        for (size_t i = 0; i < versions && !family->lookups[0].failed; i++)
            put_definition_lookups(&family->lookups[0], fd, listing->entries[i].name);
    } else if (!out->failed) {
        family->versions = malloc(names_size);
        family->offsets = malloc(versions * sizeof(size_t));
        if (family->versions == NULL || family->offsets == NULL) out->failed = 1;
        for (size_t i = 0, at = 0; i < versions && !out->failed; i++) {
            size_t length = strlen(listing->entries[i].name) + 1;
            memcpy(family->versions + at, listing->entries[i].name, length);
            family->offsets[i] = at;
            at += length;
        }
    }
    close(fd);
}

typedef struct {
    int root;
    Family *families;
    size_t count;
    size_t next_family;        /* the next family to list, shared by the threads */
    size_t (*tasks)[2];        /* (family, slice) lookups of the big families */
    size_t task_count, next_task;
    int failed;
} Work;

static void *list_families(void *argument) {
    Work *work = argument;
    Listing listing = {0};
    for (;;) {
        size_t i = __atomic_fetch_add(&work->next_family, 1, __ATOMIC_RELAXED);
        if (i >= work->count || __atomic_load_n(&work->failed, __ATOMIC_RELAXED)) break;
        observe_family(&work->families[i], work->root, &listing);
        if (work->families[i].listing.failed) __atomic_store_n(&work->failed, 1, __ATOMIC_RELAXED); /* stop early */
    }
    free_listing(&listing);
    return NULL;
}

static void *look_up_later(void *argument) {
    Work *work = argument;
    for (;;) {
        size_t i = __atomic_fetch_add(&work->next_task, 1, __ATOMIC_RELAXED);
        if (i >= work->task_count || __atomic_load_n(&work->failed, __ATOMIC_RELAXED)) break;
        Family *family = &work->families[work->tasks[i][0]];
        Buffer *out = &family->lookups[work->tasks[i][1]];
        int fd = openat(work->root, family->name, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) out->failed = 1;
        else {
            look_up_slice(family, fd, work->tasks[i][1]);
            close(fd);
        }
        if (out->failed) __atomic_store_n(&work->failed, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* `task(work)` on `threads` threads, this one included. */
static void run_on_threads(void *(*task)(void *), Work *work, int threads) {
    pthread_t started[MAX_THREADS];
    int running = 0;
    for (; running < threads - 1; running++)
        if (pthread_create(&started[running], NULL, task, work) != 0) break;
    task(work);
    for (int i = 0; i < running; i++) pthread_join(started[i], NULL);
}

static void put_block(Buffer *out, const Buffer *block) {
    uint64_t size = block->size;
    put(out, &size, sizeof size);
    put(out, block->data, block->size);
    if (block->failed) out->failed = 1;
}

static int by_value(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Whether the median `stat` of up to 8 families, spread over the list, takes longer than
 * `slow_ns`: a network file system, where many calls in flight hide the latency. The
 * walk's probe (`rezsnap._io.stat_latency`) asks the same of the same kind of path. */
static int looks_slow(const Work *work, long long slow_ns) {
    long long times[8];
    size_t probes = 0, step = work->count / 8 ? work->count / 8 : 1;
    for (size_t i = 0; i < work->count && probes < 8; i += step) {
        struct timespec start, end;
        struct stat info;
        clock_gettime(CLOCK_MONOTONIC, &start);
        (void)fstatat(work->root, work->families[i].name, &info, 0);
        clock_gettime(CLOCK_MONOTONIC, &end);
        times[probes++] = (end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec);
    }
    if (probes == 0) return 0;
    qsort(times, probes, sizeof *times, by_value);
    return times[probes / 2] > slow_ns;
}

/* The whole observation into `out`; `out->failed` when it is void. `threads` list and look
 * up, or `network_threads` where the file system looks slow (`looks_slow`). */
static void observe_repository(Buffer *out, const char *location, int threads, int network_threads,
                               long long slow_ns) {
    Listing listing = {0};
    int root = open_listed(out, AT_FDCWD, location, &listing);
    if (root < 0) {
        free_listing(&listing);
        return;
    }
    Work work = {root, calloc(listing.count + 1, sizeof(Family)), 0, 0, NULL, 0, 0, 0};
    if (work.families == NULL) out->failed = 1;
    for (size_t i = 0; i < listing.count && !out->failed; i++) {
        const Entry *entry = &listing.entries[i];
        mode_t mode = put_entry(out, root, entry);
        if (S_ISDIR(mode)) {
            if (entry->name[0] != '.') work.families[work.count++].name = entry->name; /* '.x': no family name */
        } else if (has_suffix(entry->name, ".py") || has_suffix(entry->name, ".yaml")) {
            if (entry->type != DT_LNK && entry->type != DT_UNKNOWN) put_lookup(out, root, entry->name);
        }
    }
    if (network_threads != threads && !out->failed && looks_slow(&work, slow_ns)) threads = network_threads;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if (!out->failed) run_on_threads(list_families, &work, (size_t)threads < work.count ? threads : (int)work.count);
    for (size_t i = 0; i < work.count && !work.failed && !out->failed; i++)
        if (work.families[i].versions != NULL) work.task_count += work.families[i].slices;
    if (work.task_count && !work.failed && !out->failed) {
        work.tasks = malloc(work.task_count * sizeof *work.tasks);
        if (work.tasks == NULL) out->failed = 1;
        for (size_t i = 0, task = 0; i < work.count && !out->failed; i++)
            for (size_t slice = 0; work.families[i].versions != NULL && slice < work.families[i].slices; slice++) {
                work.tasks[task][0] = i;
                work.tasks[task++][1] = slice;
            }
        if (!out->failed)
            run_on_threads(look_up_later, &work, (size_t)threads < work.task_count ? threads : (int)work.task_count);
    }
    if (work.failed) out->failed = 1;
    size_t total = 0; /* the blocks' size: one allocation, instead of doubling through a megabyte */
    for (size_t i = 0; i < work.count && !out->failed; i++) {
        total += 1 + sizeof(uint64_t) + work.families[i].listing.size;
        for (size_t slice = 0; slice < work.families[i].slices; slice++)
            total += sizeof(uint64_t) + work.families[i].lookups[slice].size;
    }
    if (!out->failed) reserve(out, total);
    for (size_t i = 0; i < work.count && !out->failed; i++) {
        Family *family = &work.families[i];
        put_byte(out, 'F');
        put_block(out, &family->listing);
        for (size_t slice = 0; slice < family->slices; slice++) put_block(out, &family->lookups[slice]);
    }
    for (size_t i = 0; work.families != NULL && i < work.count; i++) {
        Family *family = &work.families[i];
        free(family->listing.data);
        for (size_t slice = 0; family->lookups != NULL && slice < family->slices; slice++) free(family->lookups[slice].data);
        free(family->lookups);
        free(family->versions);
        free(family->offsets);
    }
    free(work.tasks);
    free(work.families);
    close(root);
    free_listing(&listing);
}

static PyObject *observe(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *encoded;
    int threads, network_threads = 0;
    double slow_seconds = 0.0;
    if (!PyArg_ParseTuple(args, "O&i|id:observe", PyUnicode_FSConverter, &encoded, &threads, &network_threads,
                          &slow_seconds))
        return NULL;
    if (network_threads == 0) network_threads = threads;
    if (threads < 1 || network_threads < 1) {
        Py_DECREF(encoded);
        PyErr_SetString(PyExc_ValueError, "threads must be at least 1");
        return NULL;
    }
    const char *location = PyBytes_AS_STRING(encoded); /* the converter refuses a NUL in it */
    Buffer out = {NULL, 0, 0, 0};
    Py_BEGIN_ALLOW_THREADS
    observe_repository(&out, location, threads, network_threads, (long long)(slow_seconds * 1e9));
    Py_END_ALLOW_THREADS
    Py_DECREF(encoded);
    PyObject *result = out.failed ? Py_NewRef(Py_None) : PyBytes_FromStringAndSize(out.data, (Py_ssize_t)out.size);
    free(out.data);
    return result;
}

static PyMethodDef METHODS[] = {
    {"observe", observe, METH_VARARGS,
     "observe(location, threads, network_threads=threads, slow_seconds=0.0) -> the answers of the"
     " file-system calls a walk of the repository folder location makes, as bytes; None where one of"
     " them failed. They are made on network_threads threads where the median stat of a few family"
     " folders takes longer than slow_seconds, else on threads."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_cobserve", NULL, -1, METHODS, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__cobserve(void) { return PyModule_Create(&MODULE); }
