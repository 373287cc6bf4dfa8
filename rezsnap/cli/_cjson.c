/* `rezsnap scan --json`'s lines for one family directory, compiled.
 *
 * `directory_lines(head, tail, prefix, suffix, rows, no_version, encode)` returns the text that
 * `_scan._json_lines` writes for the packages of the rows `(name, format, stamp)` of one
 * family directory (`ListedFamily.packages()`), line by line:
 *
 *     head + encode(version) + ', "format": ' + F + ', "path": ' + P + tail + P + '}\n'
 *
 * where the version is the name ("" for `no_version`, whose format and path are null), F is
 * `encode(format)` or null, and P is `encode(prefix + name + suffix + format)` or null.
 * `encode` is json's `encode_basestring_ascii`; a string of printable ASCII without a quote or
 * a backslash is written here as that encoder writes it, every other string is given to `encode`. The Python twin is `_scan._json_lines`, used where this is not built.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string.h>

typedef struct {
    char *bytes;
    size_t length, capacity;
} Text;

static int put(Text *text, const char *data, size_t size) {
    if (text->length + size > text->capacity) {
        size_t capacity = text->capacity ? text->capacity : 4096;
        while (capacity < text->length + size) capacity *= 2;
        char *grown = PyMem_Realloc(text->bytes, capacity);
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        text->bytes = grown;
        text->capacity = capacity;
    }
    memcpy(text->bytes + text->length, data, size);
    text->length += size;
    return 0;
}

/* The ASCII bytes of a string json writes as they are, or NULL. */
static const char *plain_ascii(PyObject *string, Py_ssize_t *size) {
    if (!PyUnicode_Check(string) || !PyUnicode_IS_ASCII(string)) return NULL;
    const char *bytes = (const char *)PyUnicode_1BYTE_DATA(string);
    Py_ssize_t length = PyUnicode_GET_LENGTH(string);
    for (Py_ssize_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return NULL; /* json escapes these (and DEL) */
    }
    *size = length;
    return bytes;
}

/* `encode(string)`, appended */
static int put_encoded(Text *text, PyObject *string, PyObject *encode) {
    PyObject *encoded = PyObject_CallOneArg(encode, string);
    if (encoded == NULL) return -1;
    int status = -1;
    if (!PyUnicode_Check(encoded) || !PyUnicode_IS_ASCII(encoded))
        PyErr_SetString(PyExc_TypeError, "encode must return an ASCII str");
    else
        status = put(text, (const char *)PyUnicode_1BYTE_DATA(encoded), (size_t)PyUnicode_GET_LENGTH(encoded));
    Py_DECREF(encoded);
    return status;
}

static int put_string(Text *text, PyObject *string, PyObject *encode) {
    Py_ssize_t size;
    const char *bytes = plain_ascii(string, &size);
    if (bytes == NULL) return put_encoded(text, string, encode);
    return put(text, "\"", 1) || put(text, bytes, (size_t)size) || put(text, "\"", 1);
}

/* The encoded path `prefix + name + suffix + format`, into `path` (reset first). */
static int path_text(Text *path, PyObject *prefix, PyObject *name, PyObject *suffix, PyObject *format,
                     PyObject *encode) {
    PyObject *parts[4] = {prefix, name, suffix, format};
    Py_ssize_t sizes[4];
    const char *bytes[4];
    path->length = 0;
    int plain = 1;
    for (int i = 0; i < 4 && plain; i++) plain = (bytes[i] = plain_ascii(parts[i], &sizes[i])) != NULL;
    if (plain) {
        if (put(path, "\"", 1)) return -1;
        for (int i = 0; i < 4; i++)
            if (put(path, bytes[i], (size_t)sizes[i])) return -1;
        return put(path, "\"", 1);
    }
    PyObject *joined = PyUnicode_FromFormat("%U%U%U%U", prefix, name, suffix, format);
    if (joined == NULL) return -1;
    int status = put_encoded(path, joined, encode);
    Py_DECREF(joined);
    return status;
}

static const char FORMAT[] = ", \"format\": ", PATH[] = ", \"path\": ", NUL[] = "null", END[] = "}\n";

static PyObject *directory_lines(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *head, *tail, *prefix, *suffix, *rows, *no_version, *encode;
    if (!PyArg_ParseTuple(args, "UUUUO!UO:directory_lines", &head, &tail, &prefix, &suffix, &PyList_Type, &rows,
                          &no_version, &encode))
        return NULL;
    Py_ssize_t head_size, tail_size;
    const char *head_bytes = PyUnicode_IS_ASCII(head) ? (const char *)PyUnicode_1BYTE_DATA(head) : NULL;
    const char *tail_bytes = PyUnicode_IS_ASCII(tail) ? (const char *)PyUnicode_1BYTE_DATA(tail) : NULL;
    if (head_bytes == NULL || tail_bytes == NULL) {
        PyErr_SetString(PyExc_ValueError, "head and tail must be ASCII (JSON already encoded)");
        return NULL;
    }
    head_size = PyUnicode_GET_LENGTH(head);
    tail_size = PyUnicode_GET_LENGTH(tail);
    Text text = {NULL, 0, 0}, path = {NULL, 0, 0};
    PyObject *result = NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(rows); i++) {
        PyObject *row = PyList_GET_ITEM(rows, i);
        if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) < 2 || !PyUnicode_Check(PyTuple_GET_ITEM(row, 0))) {
            PyErr_SetString(PyExc_TypeError, "rows must be (name, format, stamp) tuples");
            goto done;
        }
        PyObject *name = PyTuple_GET_ITEM(row, 0), *format = PyTuple_GET_ITEM(row, 1);
        int unversioned = PyUnicode_Compare(name, no_version) == 0;
        if (unversioned) format = Py_None; /* rez drops the version, and finds no definition file */
        if (format != Py_None && !PyUnicode_Check(format)) {
            PyErr_SetString(PyExc_TypeError, "a row's format must be a str or None");
            goto done;
        }
        if (put(&text, head_bytes, (size_t)head_size)) goto done;
        if (unversioned ? put(&text, "\"\"", 2) : put_string(&text, name, encode)) goto done;
        if (put(&text, FORMAT, sizeof FORMAT - 1)) goto done;
        if (format == Py_None) {
            path.length = 0;
            if (put(&text, NUL, 4) || put(&path, NUL, 4)) goto done;
        } else if (put_string(&text, format, encode) || path_text(&path, prefix, name, suffix, format, encode)) {
            goto done;
        }
        if (put(&text, PATH, sizeof PATH - 1) || put(&text, path.bytes, path.length)
            || put(&text, tail_bytes, (size_t)tail_size) || put(&text, path.bytes, path.length)
            || put(&text, END, sizeof END - 1))
            goto done;
    }
    result = PyUnicode_New((Py_ssize_t)text.length, 127);
    if (result != NULL && text.length) memcpy(PyUnicode_1BYTE_DATA(result), text.bytes, text.length);
done:
    PyMem_Free(text.bytes);
    PyMem_Free(path.bytes);
    return result;
}

static PyMethodDef METHODS[] = {
    {"directory_lines", directory_lines, METH_VARARGS,
     "directory_lines(head, tail, prefix, suffix, rows, no_version, encode) -> the JSON lines of the"
     " packages of one family directory's rows (name, format, stamp); see the module's source."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_cjson", NULL, -1, METHODS, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__cjson(void) { return PyModule_Create(&MODULE); }
