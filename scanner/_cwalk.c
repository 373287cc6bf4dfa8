/* The walk's hot loop, compiled: one `stat` per version directory, without the GIL.
 *
 * `package_py_stamps(fd, names)` answers, for each version directory `name` of the family
 * directory open as `fd`, what `os.stat(name + "/package.py", dir_fd=fd)` followed by
 * `S_ISREG` answers in `_families._resolve_open`: the `(mtime_ns, size, ctime_ns)` of a
 * regular `package.py`, or None (anything else, errors included), where the Python walk
 * then looks closer (`package.yaml`, problems to report). It only saves the interpreter's
 * work around each call (building an `os.stat_result`), and lets the stats of one thread
 * overlap another's Python.
 *
 * `family_versions(paths, threads)` is the default walk of a local disk (`_scan._compiled_walk`):
 * it lists many family folders on threads, applies `_list_open_family`'s rules to those of
 * the plain layout, looks up their versions' `package.py` and puts the versions in rez's order
 * (`_families.version_sort_key`'s bytes, built here); every other folder is left to the Python
 * walk, which is also its twin where this module is not built.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "_stat_times.h"

static const char SUFFIX[] = "/package.py";

typedef struct {
    int found;
    long long mtime_ns, size, ctime_ns;
} Stamp;

static long long nanoseconds(struct timespec when) { return (long long)when.tv_sec * 1000000000LL + when.tv_nsec; }

static PyObject *package_py_stamps(PyObject *Py_UNUSED(module), PyObject *args) {
    int fd;
    PyObject *names, *results = NULL;
    if (!PyArg_ParseTuple(args, "iO!:package_py_stamps", &fd, &PyList_Type, &names)) return NULL;
    Py_ssize_t count = PyList_GET_SIZE(names);
    char **paths = PyMem_Calloc((size_t)count + 1, sizeof(char *));
    Stamp *stamps = PyMem_Calloc((size_t)count + 1, sizeof(Stamp));
    if (paths == NULL || stamps == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *name = PyList_GET_ITEM(names, i), *encoded = NULL;
        /* a name the file system cannot take stays NULL: the Python walk looks at it */
        if (PyUnicode_Check(name) && PyUnicode_FSConverter(name, &encoded)) {
            Py_ssize_t size = PyBytes_GET_SIZE(encoded);
            paths[i] = malloc((size_t)size + sizeof(SUFFIX));
            if (paths[i] != NULL) {
                memcpy(paths[i], PyBytes_AS_STRING(encoded), (size_t)size);
                memcpy(paths[i] + size, SUFFIX, sizeof(SUFFIX));
            }
            Py_DECREF(encoded);
        }
        PyErr_Clear();
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count; i++) {
        struct stat info;
        if (paths[i] != NULL && fstatat(fd, paths[i], &info, 0) == 0 && S_ISREG(info.st_mode))
            stamps[i] = (Stamp){1, nanoseconds(MTIME(info)), (long long)info.st_size, nanoseconds(CTIME(info))};
    }
    Py_END_ALLOW_THREADS
    results = PyList_New(count);
    for (Py_ssize_t i = 0; results != NULL && i < count; i++) {
        PyObject *item = stamps[i].found ? Py_BuildValue("(LLL)", stamps[i].mtime_ns, stamps[i].size, stamps[i].ctime_ns)
                                         : Py_NewRef(Py_None);
        if (item == NULL) Py_CLEAR(results);
        else PyList_SET_ITEM(results, i, item);
    }
done:
    if (paths != NULL)
        for (Py_ssize_t i = 0; i < count; i++) free(paths[i]);
    PyMem_Free(paths);
    PyMem_Free(stamps);
    return results;
}

/* ---- family_versions: a family folder's versions and their stamps, for the plain layout ---- */

#define MAX_THREADS 64

typedef struct {
    char **names;        /* version folders (not ignored), as listed */
    Stamp *stamps;
    size_t count, capacity;
    char **building;     /* what `.building<v>` markers name */
    size_t building_count, building_capacity;
    int plain;           /* 0: something here needs the Python walk (it lists the family itself) */
} Versions;

static int push(char ***items, size_t *count, size_t *capacity, const char *name) {
    if (*count == *capacity) {
        size_t grown_capacity = *capacity ? *capacity * 2 : 16;
        char **grown = realloc(*items, grown_capacity * sizeof(char *));
        if (grown == NULL) return -1;
        *items = grown;
        *capacity = grown_capacity;
    }
    char *copy = strdup(name);
    if (copy == NULL) return -1;
    (*items)[(*count)++] = copy;
    return 0;
}

static int is_ascii(const char *name) {
    for (; *name; name++)
        if ((unsigned char)*name >= 0x80) return 0;
    return 1;
}

/* `_families._list_open_family` for a family folder of plain entries: folders and regular
 * files with ASCII names, no `package.py`/`package.yaml` of its own; anything else leaves
 * `plain` 0. A version folder `v` is dropped when a regular file `.ignore<v>` is beside it. */
static void list_versions(const char *path, Versions *out) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    int copy = dup(fd);
    DIR *folder = copy < 0 ? NULL : fdopendir(copy);
    if (folder == NULL) {
        if (copy >= 0) close(copy);
        close(fd);
        return;
    }
    char **candidates = NULL, **ignored = NULL;
    size_t candidate_count = 0, candidate_capacity = 0, ignored_count = 0, ignored_capacity = 0;
    int plain = 1;
    struct dirent *entry;
    errno = 0;
    while (plain && (entry = readdir(folder)) != NULL) {
        const char *name = entry->d_name;
        unsigned char type = entry->d_type;
        if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
        if ((type != DT_DIR && type != DT_REG) || !is_ascii(name) || strcmp(name, "package.py") == 0
            || strcmp(name, "package.yaml") == 0) {
            plain = 0;
            break;
        }
        if (name[0] == '.') {
            if (strncmp(name, ".building", 9) == 0) {
                if (push(&out->building, &out->building_count, &out->building_capacity, name + 9) != 0) plain = 0;
            } else {
                if (strncmp(name, ".ignore", 7) == 0 && type == DT_REG
                    && push(&ignored, &ignored_count, &ignored_capacity, name + 7) != 0)
                    plain = 0;
                continue;
            }
        }
        if (type == DT_DIR && push(&candidates, &candidate_count, &candidate_capacity, name) != 0) plain = 0;
    }
    if (errno != 0) plain = 0;
    closedir(folder);
    for (size_t i = 0; plain && i < candidate_count; i++) {
        int skip = 0;
        for (size_t j = 0; j < ignored_count && !skip; j++) skip = strcmp(candidates[i], ignored[j]) == 0;
        if (skip) continue;
        if (out->count == out->capacity) {
            size_t capacity = out->capacity ? out->capacity * 2 : 16;
            char **names = realloc(out->names, capacity * sizeof(char *));
            Stamp *stamps = names == NULL ? NULL : realloc(out->stamps, capacity * sizeof(Stamp));
            if (names != NULL) out->names = names;
            if (stamps == NULL) {
                plain = 0;
                break;
            }
            out->stamps = stamps;
            out->capacity = capacity;
        }
        char file[NAME_MAX + sizeof SUFFIX];
        size_t length = strlen(candidates[i]);
        Stamp stamp = {0, 0, 0, 0};
        if (length <= NAME_MAX) {
            struct stat info;
            memcpy(file, candidates[i], length);
            memcpy(file + length, SUFFIX, sizeof SUFFIX);
            if (fstatat(fd, file, &info, 0) == 0 && S_ISREG(info.st_mode))
                stamp = (Stamp){1, nanoseconds(MTIME(info)), (long long)info.st_size, nanoseconds(CTIME(info))};
        }
        out->names[out->count] = candidates[i];
        out->stamps[out->count++] = stamp;
        candidates[i] = NULL; /* moved */
    }
    for (size_t i = 0; i < candidate_count; i++) free(candidates[i]);
    for (size_t i = 0; i < ignored_count; i++) free(ignored[i]);
    free(candidates);
    free(ignored);
    close(fd);
    out->plain = plain;
}

/* ---- rez's version order: `_families.version_sort_key` for an ASCII name ---- */

typedef struct {
    unsigned char *bytes;
    size_t length, capacity;
} Key;

static int key_put(Key *key, const void *data, size_t size) {
    if (key->length + size > key->capacity) {
        size_t capacity = key->capacity ? key->capacity : 64;
        while (capacity < key->length + size) capacity *= 2;
        unsigned char *grown = realloc(key->bytes, capacity);
        if (grown == NULL) return -1;
        key->bytes = grown;
        key->capacity = capacity;
    }
    memcpy(key->bytes + key->length, data, size);
    key->length += size;
    return 0;
}

static int key_byte(Key *key, unsigned char byte) { return key_put(key, &byte, 1); }

static int is_word(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* `Version`'s validity: word runs separated by exactly one other character each */
static int is_valid_version(const char *text) {
    size_t run = 0;
    for (const char *c = text;; c++) {
        if (*c == 0) return run > 0;
        if (is_word(*c)) run++;
        else if (run == 0) return 0;
        else run = 0;
    }
}

/* `packed_version_key(name) + name` (rezsnap/version/_version.py has the encoding), or
 * `0x03 + name` for a name rez cannot parse: sorting by it is sorting by rez's order,
 * equal versions by text. */
static int sort_key(const char *name, Key *key) {
    key->length = 0;
    if (!is_valid_version(name)) return key_byte(key, 0x03) || key_put(key, name, strlen(name));
    const char *c = name;
    while (*c) {
        if (!is_word(*c)) c++; /* a separator */
        if (key_byte(key, 0x01)) return -1; /* a token starts */
        while (is_word(*c)) {
            const char *start = c;
            if (is_digit(*c)) {
                while (is_digit(*c)) c++;
                const char *digits = start;
                while (digits + 1 < c && *digits == '0') digits++;
                size_t size = (size_t)(c - digits);
                if (key_byte(key, 0x02)) return -1;
                if (size < 0xff) {
                    if (key_byte(key, (unsigned char)size)) return -1;
                } else {
                    unsigned char length[5] = {0xff, (unsigned char)(size >> 24), (unsigned char)(size >> 16),
                                               (unsigned char)(size >> 8), (unsigned char)size};
                    if (key_put(key, length, sizeof length)) return -1;
                }
                if (key_put(key, digits, size) || key_put(key, start, (size_t)(c - start)) || key_byte(key, 0)) return -1;
            } else {
                while (is_word(*c) && !is_digit(*c)) c++;
                if (key_byte(key, 0x01) || key_put(key, start, (size_t)(c - start)) || key_byte(key, 0)) return -1;
            }
        }
        if (key_byte(key, 0)) return -1; /* the token ends */
    }
    return key_byte(key, 0) || key_put(key, name, strlen(name));
}

typedef struct {
    unsigned char *bytes;
    size_t length;
    size_t index;
} Keyed;

static int compare_keyed(const void *left, const void *right) {
    const Keyed *a = left, *b = right;
    int order = memcmp(a->bytes, b->bytes, a->length < b->length ? a->length : b->length);
    if (order) return order;
    return (a->length > b->length) - (a->length < b->length);
}

/* The versions in rez's order (the keys are unique: they end with the name); 0, or -1 where
 * memory ran out (the caller leaves the family to the Python walk). */
static int sort_versions(Versions *versions) {
    size_t count = versions->count;
    if (count < 2) return 0;
    Keyed *keyed = calloc(count, sizeof(Keyed));
    char **names = malloc(count * sizeof(char *));
    Stamp *stamps = malloc(count * sizeof(Stamp));
    int status = keyed && names && stamps ? 0 : -1;
    Key key = {NULL, 0, 0};
    for (size_t i = 0; status == 0 && i < count; i++) {
        if (sort_key(versions->names[i], &key) != 0 || (keyed[i].bytes = malloc(key.length ? key.length : 1)) == NULL) {
            status = -1;
            break;
        }
        memcpy(keyed[i].bytes, key.bytes, key.length);
        keyed[i].length = key.length;
        keyed[i].index = i;
    }
    if (status == 0) {
        qsort(keyed, count, sizeof(Keyed), compare_keyed);
        for (size_t i = 0; i < count; i++) {
            names[i] = versions->names[keyed[i].index];
            stamps[i] = versions->stamps[keyed[i].index];
        }
        memcpy(versions->names, names, count * sizeof(char *));
        memcpy(versions->stamps, stamps, count * sizeof(Stamp));
    }
    for (size_t i = 0; keyed != NULL && i < count; i++) free(keyed[i].bytes);
    free(keyed);
    free(names);
    free(stamps);
    free(key.bytes);
    return status;
}

typedef struct {
    char **paths;
    Versions *found;
    size_t count, next;
} Work;

static void *list_some(void *argument) {
    Work *work = argument;
    for (;;) {
        size_t i = __atomic_fetch_add(&work->next, 1, __ATOMIC_RELAXED);
        if (i >= work->count) break;
        Versions *found = &work->found[i];
        list_versions(work->paths[i], found);
        if (found->plain && sort_versions(found) != 0) found->plain = 0;
    }
    return NULL;
}

static void free_versions(Versions *versions) {
    for (size_t i = 0; i < versions->count; i++) free(versions->names[i]);
    for (size_t i = 0; i < versions->building_count; i++) free(versions->building[i]);
    free(versions->names);
    free(versions->stamps);
    free(versions->building);
}

static PyObject *string_list(char **items, size_t count) {
    PyObject *list = PyList_New((Py_ssize_t)count);
    for (size_t i = 0; list != NULL && i < count; i++) {
        PyObject *item = PyUnicode_DecodeASCII(items[i], (Py_ssize_t)strlen(items[i]), NULL);
        if (item == NULL) Py_CLEAR(list);
        else PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

static PyObject *family_versions(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *paths, *results = NULL;
    int threads;
    if (!PyArg_ParseTuple(args, "O!i:family_versions", &PyList_Type, &paths, &threads)) return NULL;
    Py_ssize_t count = PyList_GET_SIZE(paths);
    Work work = {PyMem_Calloc((size_t)count + 1, sizeof(char *)), PyMem_Calloc((size_t)count + 1, sizeof(Versions)),
                 (size_t)count, 0};
    if (work.paths == NULL || work.found == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *encoded = NULL;
        if (!PyUnicode_FSConverter(PyList_GET_ITEM(paths, i), &encoded)) goto done;
        work.paths[i] = strdup(PyBytes_AS_STRING(encoded));
        Py_DECREF(encoded);
        if (work.paths[i] == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
    if (threads < 1) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    Py_BEGIN_ALLOW_THREADS
    pthread_t started[MAX_THREADS];
    int running = 0;
    for (; running < threads - 1 && (size_t)running + 1 < work.count; running++)
        if (pthread_create(&started[running], NULL, list_some, &work) != 0) break;
    list_some(&work);
    for (int i = 0; i < running; i++) pthread_join(started[i], NULL);
    Py_END_ALLOW_THREADS
    results = PyList_New(count);
    for (Py_ssize_t i = 0; results != NULL && i < count; i++) {
        Versions *found = &work.found[i];
        PyObject *item;
        if (!found->plain) {
            item = Py_NewRef(Py_None);
        } else {
            PyObject *names = string_list(found->names, found->count);
            PyObject *building = string_list(found->building, found->building_count);
            PyObject *stamps = PyList_New((Py_ssize_t)found->count);
            for (size_t j = 0; stamps != NULL && j < found->count; j++) {
                Stamp *stamp = &found->stamps[j];
                PyObject *value = stamp->found ? Py_BuildValue("(LLL)", stamp->mtime_ns, stamp->size, stamp->ctime_ns)
                                               : Py_NewRef(Py_None);
                if (value == NULL) Py_CLEAR(stamps);
                else PyList_SET_ITEM(stamps, (Py_ssize_t)j, value);
            }
            item = names && building && stamps ? PyTuple_Pack(3, names, building, stamps) : NULL;
            Py_XDECREF(names);
            Py_XDECREF(building);
            Py_XDECREF(stamps);
        }
        if (item == NULL) Py_CLEAR(results);
        else PyList_SET_ITEM(results, i, item);
    }
done:
    for (size_t i = 0; work.found != NULL && i < work.count; i++) free_versions(&work.found[i]);
    for (size_t i = 0; work.paths != NULL && i < work.count; i++) free(work.paths[i]);
    PyMem_Free(work.paths);
    PyMem_Free(work.found);
    return results;
}

static PyMethodDef METHODS[] = {
    {"package_py_stamps", package_py_stamps, METH_VARARGS,
     "package_py_stamps(fd, names) -> for each name, (mtime_ns, size, ctime_ns) of a regular"
     " name/package.py in the directory open as fd, or None."},
    {"family_versions", family_versions, METH_VARARGS,
     "family_versions(paths, threads) -> for each family folder path, (version folders not ignored, in"
     " rez's version order (equal versions by name); what .building<v> markers name; the (mtime_ns, size, ctime_ns) of each version's regular"
     " package.py or None), or None where the folder is not of the plain layout (the Python walk lists"
     " it). The folders are listed on threads, without the GIL."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_cwalk", NULL, -1, METHODS, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__cwalk(void) { return PyModule_Create(&MODULE); }
