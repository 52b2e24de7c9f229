/* ARM semihosting on the QEMU board: the `bkpt 0xab` calls that qemu-system-arm answers on the
 * host (-semihosting-config enable=on,target=native, host/board/qemu-pty.ts). The board uses them
 * for its log (QEMU's stderr), its exit, its command line (which host files to use), the file
 * behind its flash regions (flash-file.c) and the host's entropy (entropy.c). Paths and files are
 * the host's, relative to QEMU's working folder. */
#ifndef CELL_QEMU_SEMIHOST_H
#define CELL_QEMU_SEMIHOST_H
#include <stdint.h>

/* SYS_OPEN modes (fopen's "rb" and "r+b"). */
#define SEMIHOST_READ 1
#define SEMIHOST_READ_WRITE 3

/* A handle, or -1. */
int32_t semihost_open(const char *path, uint32_t mode);
/* Bytes read (fewer at the file's end), or -1. */
int32_t semihost_read(int32_t handle, void *buf, uint32_t len);
/* 0 when every byte was written, else -1. */
int32_t semihost_write(int32_t handle, const void *buf, uint32_t len);
/* 0, or -1. */
int32_t semihost_seek(int32_t handle, uint32_t pos);
/* The file's length, or -1. */
int32_t semihost_flen(int32_t handle);
/* The host errno of the last call that failed. */
int32_t semihost_errno(void);
/* The command line QEMU was given for the board (-semihosting-config arg=...), NUL-terminated in
 * buf; 0, or -1 (none, or longer than cap). */
int32_t semihost_cmdline(char *buf, uint32_t cap);
/* A NUL-terminated text on QEMU's stderr. */
void semihost_write0(const char *text);
/* Ends QEMU with status 0 (ok) or 1. */
void semihost_exit(int ok) __attribute__((noreturn));

#endif
