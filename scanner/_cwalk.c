/* The walk's hot loop, compiled: one `stat` per version directory, without the GIL.
 *
 * `package_py_stamps(fd, names)` answers, for each version directory `name` of the family
 * directory open as `fd`, what `os.stat(name + "/package.py", dir_fd=fd)` followed by
 * `S_ISREG` answers in `_families._resolve_open`: the `(mtime_ns, size, ctime_ns)` of a
 * regular `package.py`, or None (anything else, errors included), where the Python walk
 * then looks closer (`package.yaml`, problems to report). It only saves the interpreter's
 * work around each call (building an `os.stat_result`), and lets the stats of one thread
 * overlap another's Python.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static PyMethodDef METHODS[] = {
    {"package_py_stamps", package_py_stamps, METH_VARARGS,
     "package_py_stamps(fd, names) -> for each name, (mtime_ns, size, ctime_ns) of a regular"
     " name/package.py in the directory open as fd, or None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_cwalk", NULL, -1, METHODS, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__cwalk(void) { return PyModule_Create(&MODULE); }
