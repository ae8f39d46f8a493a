/* A small disk without mounting one: loaded with LD_PRELOAD, it makes every write under
 * SMALL_DISK_DIR fail with ENOSPC once the files there would exceed SMALL_DISK_BYTES, and makes
 * statvfs report that capacity, the way a full volume of that size behaves.
 *
 * The space used is the size of every file under the directory, rounded up to 4 KiB (what tmpfs
 * charges), read afresh at each write: several processes share the volume as they would a real
 * one, and deleting a file frees its space at once. A write that does not fit fails whole with
 * ENOSPC (a real volume may first write part of it: callers must handle both the same way).
 * Intercepted: write, pwrite(64), writev, ftruncate(64), fallocate(64), posix_fallocate(64),
 * fwrite (C streams: FAISS), statvfs(64), fstatvfs(64).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE 4096LL

static long long pages(long long size) { return (size + PAGE - 1) / PAGE * PAGE; }

static const char *root(void) { return getenv("SMALL_DISK_DIR"); }

static long long capacity(void) {
    const char *value = getenv("SMALL_DISK_BYTES");
    return value ? atoll(value) : 0;
}

static int under_root(const char *path) {
    const char *dir = root();
    size_t n = dir ? strlen(dir) : 0;
    return n && strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static int fd_under_root(int fd) {
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = '\0';
    return under_root(path);
}

static long long used_in(const char *dir) {
    long long total = 0;
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *entry;
    char path[PATH_MAX];
    struct stat st;
    while ((entry = readdir(d)) != NULL) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
        snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
        if (lstat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) total += PAGE + used_in(path);
        else total += pages(st.st_size);
    }
    closedir(d);
    return total;
}

/* Whether growing the file behind `fd` to `end` bytes would overflow the volume (errno set). */
static int overflows(int fd, long long end) {
    if (!root() || !fd_under_root(fd)) return 0;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    if (end <= st.st_size) return 0;
    long long after = used_in(root()) - pages(st.st_size) + pages(end);
    if (after <= capacity()) return 0;
    errno = ENOSPC;
    return 1;
}

static long long end_of_write(int fd, size_t count) {
    int flags = fcntl(fd, F_GETFL);
    off_t at;
    if (flags != -1 && (flags & O_APPEND)) {
        struct stat st;
        at = fstat(fd, &st) == 0 ? st.st_size : 0;
    } else {
        at = lseek(fd, 0, SEEK_CUR);
        if (at < 0) at = 0;
    }
    return (long long)at + (long long)count;
}

#define REAL(name) static __typeof__(&name) real_##name; if (!real_##name) real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t count) {
    REAL(write);
    if (count && overflows(fd, end_of_write(fd, count))) return -1;
    return real_write(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
    REAL(pwrite);
    if (count && overflows(fd, (long long)offset + (long long)count)) return -1;
    return real_pwrite(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset) {
    REAL(pwrite64);
    if (count && overflows(fd, (long long)offset + (long long)count)) return -1;
    return real_pwrite64(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
    REAL(writev);
    size_t count = 0;
    for (int i = 0; i < iovcnt; i++) count += iov[i].iov_len;
    if (count && overflows(fd, end_of_write(fd, count))) return -1;
    return real_writev(fd, iov, iovcnt);
}

int ftruncate(int fd, off_t length) {
    REAL(ftruncate);
    if (overflows(fd, (long long)length)) return -1;
    return real_ftruncate(fd, length);
}

int ftruncate64(int fd, off64_t length) {
    REAL(ftruncate64);
    if (overflows(fd, (long long)length)) return -1;
    return real_ftruncate64(fd, length);
}

int fallocate(int fd, int mode, off_t offset, off_t len) {
    REAL(fallocate);
    if (overflows(fd, (long long)offset + (long long)len)) return -1;
    return real_fallocate(fd, mode, offset, len);
}

int fallocate64(int fd, int mode, off64_t offset, off64_t len) {
    REAL(fallocate64);
    if (overflows(fd, (long long)offset + (long long)len)) return -1;
    return real_fallocate64(fd, mode, offset, len);
}

int posix_fallocate(int fd, off_t offset, off_t len) {
    REAL(posix_fallocate);
    if (overflows(fd, (long long)offset + (long long)len)) return ENOSPC;
    return real_posix_fallocate(fd, offset, len);
}

int posix_fallocate64(int fd, off64_t offset, off64_t len) {
    REAL(posix_fallocate64);
    if (overflows(fd, (long long)offset + (long long)len)) return ENOSPC;
    return real_posix_fallocate64(fd, offset, len);
}

size_t fwrite(const void *ptr, size_t size, size_t nmemb, FILE *stream) {
    REAL(fwrite);
    long at = ftell(stream);
    if (size && nmemb && at >= 0 && overflows(fileno(stream), (long long)at + (long long)(size * nmemb))) return 0;
    return real_fwrite(ptr, size, nmemb, stream);
}

static void shrink(struct statvfs *buf) {
    long long used = used_in(root()), total = capacity();
    unsigned long block = buf->f_frsize ? buf->f_frsize : PAGE;
    long long left = total > used ? total - used : 0;
    buf->f_blocks = total / block;
    buf->f_bfree = buf->f_bavail = left / block;
}

int statvfs(const char *path, struct statvfs *buf) {
    REAL(statvfs);
    int done = real_statvfs(path, buf);
    if (done == 0 && root()) {
        char full[PATH_MAX];
        if (realpath(path, full) && under_root(full)) shrink(buf);
    }
    return done;
}

int statvfs64(const char *path, struct statvfs64 *buf) {
    REAL(statvfs64);
    int done = real_statvfs64(path, buf);
    if (done == 0 && root()) {
        char full[PATH_MAX];
        if (realpath(path, full) && under_root(full)) shrink((struct statvfs *)buf);
    }
    return done;
}

int fstatvfs(int fd, struct statvfs *buf) {
    REAL(fstatvfs);
    int done = real_fstatvfs(fd, buf);
    if (done == 0 && root() && fd_under_root(fd)) shrink(buf);
    return done;
}

int fstatvfs64(int fd, struct statvfs64 *buf) {
    REAL(fstatvfs64);
    int done = real_fstatvfs64(fd, buf);
    if (done == 0 && root() && fd_under_root(fd)) shrink((struct statvfs *)buf);
    return done;
}
