/* The fast path's compiled twin: read package files in rez's plain released layout.
 *
 * `regular_fields(paths, unassignable)` reads each file (never blocking on a FIFO, never
 * beyond MAX_BYTES, without holding the GIL) and recognises exactly the grammar of
 * `_regular.py`'s regular expression. For a file of that shape it returns the fields that
 * `python_regular_fields` returns (the last assignment wins); for anything else (another
 * shape, an I/O problem, a name in `unassignable`) it returns None and the Python reader
 * answers, so every doubt goes to the tested Python path. `source_fields` does the same
 * for bytes already read. Nothing here executes the file: it finds where the values are.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_BYTES (16 * 1024 * 1024) /* rezsnap._io.MAX_DEFINITION_BYTES */
enum { F_NAME, F_VERSION, F_REQUIRES, F_VARIANTS, F_TIMESTAMP, N_FIELDS };

static const char *const FIELD_NAMES[N_FIELDS] = {"name", "version", "requires", "variants", "timestamp"};

typedef struct {
    const char *start;
    Py_ssize_t size;
} Span;

/* --- reading ------------------------------------------------------------------------------ */

#define FILE_FLAGS (O_RDONLY | O_NONBLOCK | O_CLOEXEC) /* as rezsnap._io: a FIFO cannot block */
#ifdef O_PATH
#define FOLDER_FLAGS (O_PATH | O_DIRECTORY | O_CLOEXEC) /* needs no read permission, as a path */
#else
#define FOLDER_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC)
#endif

/* The folder three levels above the last file opened (<repo> of <repo>/<family>/<version>/
 * package.py): the next file of the same repository is opened relative to it, which spares
 * the kernel looking the repository's own path up again for every file. */
typedef struct {
    int fd;
    char *path;
    size_t size;
} Folder;

static void forget(Folder *folder) {
    if (folder->fd >= 0) close(folder->fd);
    free(folder->path);
    folder->fd = -1;
    folder->path = NULL;
    folder->size = 0;
}

static int open_file(const char *path, Folder *folder) {
    const char *slash = path + strlen(path);
    int seen = 0;
    while (slash > path && seen < 3)
        if (*--slash == '/') seen++;
    /* only a plain absolute path: `rest` must be relative, and not start from `//` */
    if (path[0] != '/' || seen < 3 || slash == path || slash[1] == '/') return open(path, FILE_FLAGS);
    size_t size = (size_t)(slash - path) + 1; /* with its '/' */
    if (folder->fd < 0 || folder->size != size || memcmp(folder->path, path, size) != 0) {
        forget(folder);
        char *copy = malloc(size + 1);
        if (copy == NULL) return open(path, FILE_FLAGS);
        memcpy(copy, path, size);
        copy[size] = '\0';
        folder->fd = open(copy, FOLDER_FLAGS);
        if (folder->fd < 0) {
            free(copy);
            return open(path, FILE_FLAGS);
        }
        folder->path = copy;
        folder->size = size;
    }
    return openat(folder->fd, slash + 1, FILE_FLAGS);
}

/* The bytes of a regular file, with room for one more byte, or NULL (any problem). */
static char *read_regular(const char *path, Folder *folder, Py_ssize_t *size) {
    int fd = open_file(path, folder);
    if (fd < 0) return NULL;
    struct stat info;
    char *buffer = NULL;
    if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_size > MAX_BYTES) goto fail;
    Py_ssize_t capacity = (Py_ssize_t)info.st_size + 2, used = 0;
    buffer = malloc((size_t)capacity);
    if (buffer == NULL) goto fail;
    for (;;) {
        if (used + 1 >= capacity) { /* the file grew while we read it */
            if (capacity > MAX_BYTES) goto fail;
            char *bigger = realloc(buffer, (size_t)capacity * 2);
            if (bigger == NULL) goto fail;
            buffer = bigger;
            capacity *= 2;
        }
        ssize_t got = read(fd, buffer + used, (size_t)(capacity - 1 - used));
        if (got < 0) {
            if (errno == EINTR) continue;
            goto fail;
        }
        if (got == 0) break;
        Py_ssize_t wanted = capacity - 1 - used;
        used += got;
        if (used > MAX_BYTES) goto fail;
        if (got < wanted && used == (Py_ssize_t)info.st_size) break; /* all of it: save a read */
    }
    close(fd);
    *size = used;
    return buffer;
fail:
    free(buffer);
    close(fd);
    return NULL;
}

/* --- the grammar of _regular.py ------------------------------------------------------------- */

static int is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static int is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

/* A string without escapes, newlines or NULs; returns the end, or NULL. */
static const char *string_end(const char *p, const char *end) {
    char quote = *p++;
    for (; p < end; p++) {
        char c = *p;
        if (c == quote) return p + 1;
        if (c == '\\' || c == '\n' || c == '\r' || c == '\0') return NULL;
    }
    return NULL;
}

static const char *gap_end(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\n')) p++;
    return p;
}

/* `[` items `]`, items separated by commas, an optional trailing comma; `nested` allows
 * one level of lists of strings as items. */
static const char *list_end(const char *p, const char *end, int nested) {
    p = gap_end(p + 1, end);
    for (;;) {
        if (p >= end) return NULL;
        if (*p == ']') return p + 1;
        if (*p == '\'' || *p == '"') p = string_end(p, end);
        else if (*p == '[' && nested) p = list_end(p, end, 0);
        else return NULL;
        if (p == NULL) return NULL;
        p = gap_end(p, end);
        if (p >= end) return NULL;
        if (*p == ',') p = gap_end(p + 1, end);
        else if (*p != ']') return NULL;
    }
}

static const char *value_end(const char *p, const char *end) {
    if (p >= end) return NULL;
    if (*p == '\'' || *p == '"') return string_end(p, end);
    if (*p == '[') return list_end(p, end, 1);
    if (*p == '-') p++;
    if (p >= end) return NULL;
    if (*p == '0') return p + 1;
    if (*p < '1' || *p > '9') return NULL;
    const char *digits = p;
    while (p < end && *p >= '0' && *p <= '9') p++;
    return p - digits <= 18 ? p : NULL; /* a longer literal is the AST reader's to judge */
}

typedef struct {
    const char *name;
    Py_ssize_t size;
} Name;

/* The names an assignment of the layout may not bind; per first letter, the bit of each
 * such name's length (modulo 32): a quick no for most names. */
typedef struct {
    Name *items;
    Py_ssize_t count;
    uint32_t lengths[256];
} Names;

static int is_unassignable(const char *name, Py_ssize_t size, const Names *names) {
    if (!(names->lengths[(unsigned char)name[0]] & (UINT32_C(1) << (size & 31)))) return 0;
    for (Py_ssize_t i = 0; i < names->count; i++)
        if (names->items[i].size == size && memcmp(names->items[i].name, name, (size_t)size) == 0) return 1;
    return 0;
}

/* A coding cookie other than UTF-8 in one line (`_COOKIE` of _regular.py). */
static int foreign_cookie(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\f')) p++;
    if (p >= end || *p != '#') return 0;
    for (const char *at = p + 1; at + 7 <= end; at++) {
        if (memcmp(at, "coding", 6) != 0 || (at[6] != ':' && at[6] != '=')) continue;
        const char *q = at + 7;
        while (q < end && (*q == ' ' || *q == '\t')) q++;
        const char *word = q;
        while (q < end && (is_name_char(*q) || *q == '-' || *q == '.')) q++;
        if (q == word) continue; /* the regular expression's lazy `.*?` tries the next one */
        Py_ssize_t size = q - word;
        char lower[6];
        if (size != 5 && size != 4) return 1;
        for (Py_ssize_t i = 0; i < size; i++) lower[i] = (char)((word[i] >= 'A' && word[i] <= 'Z') ? word[i] + 32 : word[i]);
        return !((size == 5 && memcmp(lower, "utf-8", 5) == 0) || (size == 4 && memcmp(lower, "utf8", 4) == 0));
    }
    return 0;
}

/* Fills `fields` from `text` (which ends with '\n'); 0 when the file is not of the shape. */
static int read_fields(const char *text, Py_ssize_t size, const Names *unassignable, Span fields[N_FIELDS]) {
    const char *p = text, *end = text + size;
    while (p < end) {
        char c = *p;
        if (c == '#') {
            for (p++; p < end && *p != '\n'; p++)
                if (*p == '\r' || *p == '\0') return 0;
            if (p >= end) return 0;
            p++;
        } else if (c == ' ' || c == '\n') {
            while (p < end && *p == ' ') p++;
            if (p >= end || *p != '\n') return 0;
            p++;
        } else if (is_name_start(c)) {
            const char *name = p;
            while (p < end && is_name_char(*p)) p++;
            Py_ssize_t name_size = p - name;
            while (p < end && *p == ' ') p++;
            if (p >= end || *p != '=') return 0;
            p++;
            while (p < end && *p == ' ') p++;
            const char *value = p;
            p = value_end(p, end);
            if (p == NULL) return 0;
            Py_ssize_t value_size = p - value;
            while (p < end && *p == ' ') p++;
            if (p >= end || *p != '\n') return 0;
            p++;
            if (is_unassignable(name, name_size, unassignable)) return 0;
            for (int i = 0; i < N_FIELDS; i++) {
                if ((Py_ssize_t)strlen(FIELD_NAMES[i]) == name_size && memcmp(FIELD_NAMES[i], name, (size_t)name_size) == 0) {
                    fields[i].start = value;
                    fields[i].size = value_size;
                }
            }
        } else {
            return 0;
        }
    }
    return 1;
}

/* One file: read and recognised without the GIL, turned into Python objects with it. */
typedef struct {
    char *text; /* NULL: not read, or not of the shape */
    Py_ssize_t size;
    int ascii;
    Span fields[N_FIELDS];
} File;

/* Recognises the bytes of one file, in a buffer with room for one more byte that `file`
 * takes (no Python calls: runs without the GIL). */
static void recognise(char *text, Py_ssize_t size, const Names *unassignable, File *file) {
    int ascii = 1;
    if (size >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) goto decline;
    if (memchr(text, '\r', (size_t)size) != NULL) goto decline;
    uint64_t high = 0; /* the high bits of all bytes: 0 for ASCII */
    Py_ssize_t i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t word;
        memcpy(&word, text + i, 8);
        high |= word;
    }
    for (; i < size; i++) high |= (unsigned char)text[i];
    ascii = (high & 0x8080808080808080ULL) == 0;
    /* the first two lines may carry a coding cookie */
    const char *end = text + size, *line = text;
    for (int n = 0; n < 2 && line <= end; n++) {
        const char *stop = memchr(line, '\n', (size_t)(end - line));
        if (stop == NULL) stop = end;
        if (foreign_cookie(line, stop)) goto decline;
        line = stop + 1;
    }
    if (size == 0 || text[size - 1] != '\n') text[size++] = '\n'; /* the last line needs no newline */
    if (!read_fields(text, size, unassignable, file->fields)) goto decline;
    file->text = text;
    file->size = size;
    file->ascii = ascii;
    return;
decline:
    free(text);
}

static PyObject *text_of(const char *start, Py_ssize_t size) {
    return PyUnicode_DecodeUTF8(start, size, "strict");
}

/* A field as `python_regular_fields` of _regular.py gives it: `name` and `version` as
 * their string ("" when absent or not a string), `requires` and `variants` as their value
 * text (None when absent), `timestamp` as its integer (None when absent; its value text
 * when it is not an integer, which rez rejects). */
static PyObject *prepared(int field, Span value) {
    const char *text = value.start;
    if (field == F_NAME || field == F_VERSION) {
        if (text == NULL || (*text != '\'' && *text != '"')) return PyUnicode_FromStringAndSize("", 0);
        return text_of(text + 1, value.size - 2);
    }
    if (text == NULL) Py_RETURN_NONE;
    if (field == F_TIMESTAMP && *text != '\'' && *text != '"' && *text != '[') {
        long long number = 0; /* at most 18 digits (value_end): no overflow */
        for (const char *p = text + (*text == '-'); p < text + value.size; p++) number = number * 10 + (*p - '0');
        return PyLong_FromLongLong(*text == '-' ? -number : number);
    }
    return text_of(text, value.size);
}

/* The file's fields (see `prepared`), or Py_None when it is not of the shape. */
/* `records` of `regular_fields`: the record type (a named tuple of the five fields) and the
 * caller's caches of converted `requires` and `variants` texts. */
typedef struct {
    PyTypeObject *type;
    PyObject *requires_of, *variants_of, *empty_list;
} Records;

/* A record of `fields` when the caches hold both of its solver fields' texts converted (a
 * tuple: a text rez rejects holds something else) and its timestamp is an int or absent;
 * else `fields` itself, for the caller to convert. Steals `fields`. */
static PyObject *record_of(PyObject *fields, const Records *records) {
    PyObject *converted[2] = {NULL, NULL}, *caches[2] = {records->requires_of, records->variants_of};
    for (int i = 0; i < 2; i++) {
        PyObject *text = PyTuple_GET_ITEM(fields, F_REQUIRES + i);
        converted[i] = PyDict_GetItemWithError(caches[i], text == Py_None ? records->empty_list : text);
        if (converted[i] == NULL && PyErr_Occurred()) {
            Py_DECREF(fields);
            return NULL;
        }
        if (converted[i] == NULL || !PyTuple_CheckExact(converted[i])) return fields;
    }
    PyObject *timestamp = PyTuple_GET_ITEM(fields, F_TIMESTAMP);
    if (timestamp != Py_None && !PyLong_CheckExact(timestamp)) return fields;
    PyObject *record = records->type->tp_alloc(records->type, N_FIELDS);
    if (record == NULL) {
        Py_DECREF(fields);
        return NULL;
    }
    PyObject *items[N_FIELDS] = {PyTuple_GET_ITEM(fields, F_NAME), PyTuple_GET_ITEM(fields, F_VERSION),
                                 converted[0], converted[1], timestamp};
    for (int i = 0; i < N_FIELDS; i++) PyTuple_SET_ITEM(record, i, Py_NewRef(items[i]));
    Py_DECREF(fields);
    return record;
}

static PyObject *fields_of(File *file) {
    if (file->text == NULL) Py_RETURN_NONE;
    if (!file->ascii) { /* Python decodes the whole text: the same UTF-8 check */
        PyObject *decoded = PyUnicode_DecodeUTF8(file->text, file->size, "strict");
        if (decoded == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) return NULL;
            PyErr_Clear();
            Py_RETURN_NONE;
        }
        Py_DECREF(decoded);
    }
    PyObject *result = PyTuple_New(N_FIELDS);
    if (result == NULL) return NULL;
    for (int i = 0; i < N_FIELDS; i++) {
        PyObject *item = prepared(i, file->fields[i]);
        if (item == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        PyTuple_SET_ITEM(result, i, item);
    }
    return result;
}

/* The C view of a tuple of bytes (borrowed: the tuple keeps them); 0 with an error set. */
static int names_of(PyObject *tuple, Names *names) {
    memset(names, 0, sizeof(*names));
    names->count = PyTuple_GET_SIZE(tuple);
    names->items = PyMem_Calloc((size_t)names->count + 1, sizeof(Name));
    if (names->items == NULL) {
        PyErr_NoMemory();
        return 0;
    }
    for (Py_ssize_t i = 0; i < names->count; i++) {
        PyObject *item = PyTuple_GET_ITEM(tuple, i);
        if (!PyBytes_Check(item) || PyBytes_GET_SIZE(item) == 0) {
            PyErr_SetString(PyExc_TypeError, "unassignable names must be non-empty bytes");
            return 0;
        }
        names->items[i].name = PyBytes_AS_STRING(item);
        names->items[i].size = PyBytes_GET_SIZE(item);
        names->lengths[(unsigned char)names->items[i].name[0]] |= UINT32_C(1) << (names->items[i].size & 31);
    }
    return 1;
}

static PyObject *source_fields(PyObject *Py_UNUSED(module), PyObject *args) {
    const char *source;
    Py_ssize_t size;
    PyObject *tuple, *result = NULL;
    Names names;
    if (!PyArg_ParseTuple(args, "y#O!:source_fields", &source, &size, &PyTuple_Type, &tuple)) return NULL;
    if (names_of(tuple, &names)) {
        char *text = malloc((size_t)size + 1); /* room for a last newline */
        File file = {NULL, 0, 1, {{NULL, 0}}};
        if (text == NULL) {
            PyErr_NoMemory();
        } else {
            memcpy(text, source, (size_t)size);
            recognise(text, size, &names, &file);
            result = fields_of(&file);
            free(file.text);
        }
    }
    PyMem_Free(names.items);
    return result;
}

/* The C view of `regular_fields`' `records` argument; 0 with an error set. */
static int records_of(PyObject *argument, Records *records) {
    PyObject *type;
    if (!PyTuple_Check(argument)) {
        PyErr_SetString(PyExc_TypeError, "records must be a tuple (type, dict, dict)");
        return 0;
    }
    if (!PyArg_ParseTuple(argument, "O!O!O!:records", &PyType_Type, &type, &PyDict_Type, &records->requires_of,
                          &PyDict_Type, &records->variants_of))
        return 0;
    records->type = (PyTypeObject *)type;
    if (!PyType_IsSubtype(records->type, &PyTuple_Type) || records->type->tp_basicsize != PyTuple_Type.tp_basicsize ||
        records->type->tp_itemsize != PyTuple_Type.tp_itemsize) {
        PyErr_SetString(PyExc_TypeError, "the record type must be a named tuple");
        return 0;
    }
    records->empty_list = PyUnicode_FromString("[]");
    return records->empty_list != NULL;
}

static PyObject *regular_fields(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *paths, *tuple, *results = NULL, *records_argument = Py_None;
    Records records = {NULL, NULL, NULL, NULL};
    Names names = {NULL, 0, {0}};
    if (!PyArg_ParseTuple(args, "O!O!|O:regular_fields", &PyList_Type, &paths, &PyTuple_Type, &tuple,
                          &records_argument))
        return NULL;
    if (records_argument != Py_None && !records_of(records_argument, &records)) return NULL;
    Py_ssize_t count = PyList_GET_SIZE(paths);
    PyObject **encoded = PyMem_Calloc((size_t)count + 1, sizeof(PyObject *));
    File *files = PyMem_Calloc((size_t)count + 1, sizeof(File));
    if (!names_of(tuple, &names)) goto done;
    if (encoded == NULL || files == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *path = PyList_GET_ITEM(paths, i);
        /* a path the file system cannot name stays NULL: the Python reader reports it */
        if (PyUnicode_Check(path) && !PyUnicode_FSConverter(path, &encoded[i])) encoded[i] = NULL;
        PyErr_Clear();
    }
    /* the bytes of the paths are ours until the end */
    Py_BEGIN_ALLOW_THREADS
    Folder folder = {-1, NULL, 0};
    for (Py_ssize_t i = 0; i < count; i++)
        if (encoded[i] != NULL) {
            Py_ssize_t size = 0;
            char *text = read_regular(PyBytes_AS_STRING(encoded[i]), &folder, &size);
            if (text != NULL) recognise(text, size, &names, &files[i]);
        }
    forget(&folder);
    Py_END_ALLOW_THREADS
    results = PyList_New(count);
    for (Py_ssize_t i = 0; results != NULL && i < count; i++) {
        PyObject *found = fields_of(&files[i]);
        if (found != NULL && found != Py_None && records.type != NULL) found = record_of(found, &records);
        if (found == NULL) Py_CLEAR(results);
        else PyList_SET_ITEM(results, i, found);
    }
done:
    if (files != NULL)
        for (Py_ssize_t i = 0; i < count; i++) free(files[i].text);
    if (encoded != NULL)
        for (Py_ssize_t i = 0; i < count; i++) Py_XDECREF(encoded[i]);
    PyMem_Free(files);
    PyMem_Free(encoded);
    PyMem_Free(names.items);
    Py_XDECREF(records.empty_list);
    return results;
}

static PyMethodDef METHODS[] = {
    {"regular_fields", regular_fields, METH_VARARGS,
     "regular_fields(paths, unassignable) -> list of (name, version, requires, variants, timestamp)"
     " value texts, or None where the file is not in rez's plain layout."},
    {"source_fields", source_fields, METH_VARARGS,
     "source_fields(source, unassignable) -> regular_fields of one file's bytes."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_cregular", NULL, -1, METHODS, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__cregular(void) { return PyModule_Create(&MODULE); }
