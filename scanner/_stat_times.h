/* The modification and change times of a `struct stat`, as each platform names them. */
#ifndef REZSNAP_STAT_TIMES_H
#define REZSNAP_STAT_TIMES_H

#include <sys/stat.h>

#if defined(__APPLE__)
#define MTIME(info) ((info).st_mtimespec)
#define CTIME(info) ((info).st_ctimespec)
#else
#define MTIME(info) ((info).st_mtim)
#define CTIME(info) ((info).st_ctim)
#endif

#endif
