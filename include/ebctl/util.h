/*
 * ebctl utilities: memory, growable buffers, strict number parsing,
 * durations and messages.
 *
 * Out-of-memory policy: ebctl is a command-line tool, so every allocation
 * goes through the x* wrappers, which print a message and exit(3) when the
 * allocator fails. Call sites never check for NULL from them.
 */
#ifndef EBCTL_UTIL_H
#define EBCTL_UTIL_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#if defined(__GNUC__)
#define EBCTL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define EBCTL_NORETURN     __attribute__((noreturn))
#else
#define EBCTL_PRINTF(f, a)
#define EBCTL_NORETURN
#endif

#define EBCTL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * How a call ended: what every layer returns (0 or one of these, never an
 * exit code), the detail having gone to the caller's sink or struct
 * aws_error. Only src/cli turns one into the process's exit code
 * (cli_exit_code), so the numbers of DESIGN.md are written in one place.
 */
enum ebctl_err {
	EBCTL_OK = 0,
	/* Positive, as the -1 of a failed system call is not one of them, and
	 * apart from every exit code, so that a status passed on unmapped
	 * shows in the tests. */
	EBCTL_ERR_INVALID = 101,     /* bad input: validation errors, unreadable file, bad bundle */
	EBCTL_ERR_USAGE = 102,       /* unknown command or flag, missing value */
	EBCTL_ERR_AWS = 103,         /* AWS or network error after retries */
	EBCTL_ERR_FAILED = 104,      /* the deployment failed or rolled back */
	EBCTL_ERR_UNHEALTHY = 105,   /* deployed, health outside --healthy at the deadline */
	EBCTL_ERR_TIMEOUT = 106,     /* the deadline passed; it may still be running */
	EBCTL_ERR_INTERNAL = 107,    /* ebctl itself cannot go on */
	EBCTL_ERR_INTERRUPTED = 108, /* SIGINT, SIGTERM or SIGHUP */
};

/*
 * Exit codes: the public contract of DESIGN.md. Named by src/cli's
 * cli_exit_code and by the three ways out that cannot return: die() and
 * running out of memory (EBCTL_EXIT_INTERNAL), a second signal
 * (EBCTL_EXIT_INTERRUPTED). `make lint` keeps them out of the other files.
 */
enum ebctl_exit {
	EBCTL_EXIT_OK = 0,
	EBCTL_EXIT_INVALID = 1,
	EBCTL_EXIT_USAGE = 2,
	EBCTL_EXIT_AWS = 3,
	EBCTL_EXIT_DEPLOY_FAILED = 4,
	EBCTL_EXIT_UNHEALTHY = 5,
	EBCTL_EXIT_TIMEOUT = 6,
	/* out of memory, a shared library missing or without a function, a
	 * thread that cannot start: sysexits' EX_SOFTWARE, so that CI does
	 * not read it as AWS's fault */
	EBCTL_EXIT_INTERNAL = 70,
	EBCTL_EXIT_INTERRUPTED = 130
};

/* ---- memory (die on failure) ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Formatted allocation; caller frees. */
char *xasprintf(const char *fmt, ...) EBCTL_PRINTF(1, 2);
/* Wipe and free a secret string; NULL-safe. */
void free_secret(char *s);

/* ---- growable buffer ----
 * Always NUL-terminated once anything was added (ptr may be NULL while
 * empty: use buf_cstr()). `max` (0 = unlimited) bounds the length: an
 * append past it frees the buffer and returns -1, so a caller reading an
 * untrusted stream can stop without keeping a partial copy. */
struct buf {
	char *ptr;
	size_t len;
	size_t cap;
	size_t max;
};
#define BUF_INIT                                                                                   \
	{                                                                                          \
		NULL, 0, 0, 0                                                                      \
	}

void buf_init(struct buf *b, size_t max);
int buf_add(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) EBCTL_PRINTF(2, 3);
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) EBCTL_PRINTF(2, 0);
/* The contents as a C string ("" when empty); borrowed. */
const char *buf_cstr(const struct buf *b);
/* Hand the memory to the caller (never NULL; caller frees) and reset b. */
char *buf_detach(struct buf *b, size_t *len);
void buf_reset(struct buf *b);
void buf_cleanup(struct buf *b);
/* buf_cleanup after wiping the contents (secrets). */
void buf_free_secret(struct buf *b);

/* Text from a server made safe for one line of output: control characters
 * escaped (a newline becomes "\n", ESC "\x1b"), so it can neither forge a
 * line (a GitHub Actions "::command::" at a line's start, a fake verdict)
 * nor send terminal codes. A tab becomes a space. Caller frees. */
char *text_escape(const char *s);
/* text_escape() of len bytes of s appended to b. */
void buf_put_escaped(struct buf *b, const char *s, size_t len);

/* Read a whole file (path "-" = stdin) into b, at most `max` bytes
 * (0 = unlimited). Returns 0, or -1 with errno set (EFBIG past max,
 * EISDIR for a directory). */
int buf_read_file(struct buf *b, const char *path, size_t max);

/* A non-owning view. */
struct strview {
	const char *ptr;
	size_t len;
};

/* ---- string lists ---- */
struct strlist {
	char **v;
	size_t n;
};
void strlist_add(struct strlist *l, const char *s);
bool strlist_has(const struct strlist *l, const char *s);
void strlist_cleanup(struct strlist *l);

/* ---- strict parsing ----
 * Whole-string parses: leading/trailing garbage, empty input, overflow or a
 * value outside [min, max] return -1 and leave *out untouched. */
int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* The value of a hexadecimal digit (either case), or -1. */
int hex_digit(char c);
int parse_long(const char *s, long min, long max, long *out);
/* "90s", "20m", "1h", "1h30m", "2d", or a bare number of seconds. */
int parse_duration(const char *s, unsigned long *seconds);
/*
 * Pagination: whether to follow next, the token (or marker) a page returned
 * for the request that sent prev (NULL for the first page). False for no
 * token or an empty one, for a token equal to prev (a server that repeats
 * it would be asked for ever) and once *pages, counted here, reaches max.
 */
bool page_follow(const char *prev, const char *next, int *pages, int max);
/* The most pages any listing follows. */
#define PAGES_MAX 1000
/* The longest duration an option takes (30 days, in seconds). */
#define DURATION_MAX (30ul * 24 * 3600)

/* ---- strings ---- */
bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
/* An HTTP field value without the blanks (SP, HTAB) around it, which are not
 * part of it: points into v, its length in *len. */
const char *str_field_value(const char *v, size_t *len);
/* Levenshtein distance, capped: returns cap+1 as soon as it exceeds cap. */
size_t str_edit_distance(const char *a, const char *b, size_t cap);
/* A copy of s that is valid UTF-8: each byte that does not begin a valid
 * sequence (an overlong form, a surrogate or a code point past U+10FFFF
 * included) becomes U+FFFD, as a JSON string needs. Caller frees. */
char *str_utf8_valid(const char *s);
/* The number of code points in s, or -1 when s is not valid UTF-8; with
 * prefix_bytes, also the bytes of its first max_chars code points. */
long str_utf8_len(const char *s, size_t max_chars, size_t *prefix_bytes);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);

/* ---- a file's digest ---- */
/* A file's SHA-256 and, for its multipart upload, the CRC32 of each piece
 * of piece_size bytes, taken in one pass over its bytes: as they are
 * written (file_digest_update) or read back (file_digest_path). */
struct file_digest {
	char sha256_hex[65]; /* "" until file_digest_final */
	uint64_t size;
	uint64_t piece_size; /* 0: no pieces */
	uint32_t *crc32;     /* npieces CRC32s, the last piece's maybe short */
	size_t npieces;
	void *sha; /* while it is taken */
};
void file_digest_init(struct file_digest *d, uint64_t piece_size);
void file_digest_update(struct file_digest *d, const void *data, size_t n);
void file_digest_final(struct file_digest *d);
/* The whole of path, read in 64 KiB chunks: 0, or -1 with errno and d
 * empty. file_digest_cleanup after, either way. */
int file_digest_path(const char *path, uint64_t piece_size, struct file_digest *d);
void file_digest_cleanup(struct file_digest *d);

/* ---- files ---- */
/* Write len bytes of data to path with mode: to a temporary file beside it
 * (created 0600), synced, then renamed over path, so a reader sees the old
 * file or the new one, never part of one. 0, or -1 with errno. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* ---- message sinks ----
 * Modules below src/cli print nothing: a note, warning or error for a
 * person is formatted whole and handed to the sink their caller gave
 * (src/cli's prints it with errorf/warnf/notef below; a test collects it).
 * A NULL sink, or one without emit, drops the message. emit may be called
 * from several threads at once (a deploy's update workers). */
enum msg_level { MSG_NOTE, MSG_WARNING, MSG_ERROR };
struct msgsink {
	void (*emit)(void *arg, enum msg_level level, const char *text);
	void *arg;
};
void sink_note(const struct msgsink *s, const char *fmt, ...) EBCTL_PRINTF(2, 3);
void sink_warn(const struct msgsink *s, const char *fmt, ...) EBCTL_PRINTF(2, 3);
void sink_error(const struct msgsink *s, const char *fmt, ...) EBCTL_PRINTF(2, 3);

/* ---- messages ----
 * One message on stderr, written whole: "ebctl: " + "KIND: " (in colour
 * on a terminal, when kind is given) + the text with control characters
 * escaped + newline. The writer of debugf and of src/cli's errorf, warnf
 * and notef (cli.h); nothing else below src/cli calls it (make lint). */
void msg_vwrite(const char *kind, const char *color, const char *fmt, va_list ap)
    EBCTL_PRINTF(3, 0);
/* Only with --debug (or EBCTL_DEBUG=1). Never pass secrets. */
void debugf(const char *fmt, ...) EBCTL_PRINTF(1, 2);
EBCTL_NORETURN void die(const char *fmt, ...) EBCTL_PRINTF(1, 2);

extern bool ebctl_debug; /* --debug */
extern bool ebctl_quiet; /* --quiet: suppress notef */

/* ---- terminal ----
 * Colour only on a terminal, never with NO_COLOR set or --no-color. */
extern bool ebctl_no_color;
bool term_use_color(FILE *f);
bool term_is_ci(void); /* CI, GITHUB_ACTIONS, TRAVIS... */
#define COLOR_RED    "\033[31m"
#define COLOR_YELLOW "\033[33m"
#define COLOR_GREEN  "\033[32m"
#define COLOR_BOLD   "\033[1m"
#define COLOR_DIM    "\033[2m"
#define COLOR_RESET  "\033[0m"

/* ---- interruption ----
 * SIGINT, SIGTERM and SIGHUP are one thing: the first sets a flag that
 * every wait, transfer and CPU-bound loop checks, so the command can say
 * what it leaves behind and exit 130; a second one ends the process at
 * once (exit 130). */
void interrupt_install(void);
bool interrupt_requested(void);
/* "SIGINT", "SIGTERM", "SIGHUP": the first signal that arrived. */
const char *interrupt_signal_name(void);
/* The flag itself, for aws_client_options.interrupted. */
volatile sig_atomic_t *interrupt_flag(void);
/* Whether the reader of fd (a pipe or socket) has gone. */
bool output_closed(int fd);
enum sleep_end { SLEEP_DONE, SLEEP_INTERRUPTED, SLEEP_OUTPUT_CLOSED };
/* Sleep up to ms. Ends early when interrupted, and, with watch_fd >= 0,
 * as soon as the reader of watch_fd has gone (a follower's stdout closed
 * by `| head`), without waiting for the next write. */
enum sleep_end interrupt_sleep_ms(int64_t ms, int watch_fd);

/* ---- git ---- */
/* Run git with args in dir, stdout into out (trailing newline removed).
 * Returns git's exit status, or -1 when it could not be run. */
int git_capture(const char *dir, const char *const *args, char **out);
/* The same, keeping the output as it is (NUL bytes of -z included, no line
 * end removed): *len bytes at *out, NUL-terminated. */
int git_capture_raw(const char *dir, const char *const *args, char **out, size_t *len);

/* ---- time ---- */
/* Seconds since the epoch, wall clock. */
int64_t time_now(void);
/* Monotonic milliseconds. */
int64_t time_mono_ms(void);
/* The pace of a polling loop (deploy's verdict, events -f, logs -f...):
 * EBCTL_POLL_MS when set to 1..3600000, else dflt. */
long poll_interval_ms(long dflt);
/* "YYYYMMDDTHHMMSSZ" -> epoch seconds; -1 on bad input. */
int64_t time_parse_amz(const char *s);
/* ISO 8601 "2024-01-02T03:04:05(.123)Z" -> epoch seconds; -1 on bad input. */
int64_t time_parse_iso8601(const char *s);
/* Epoch seconds (0 to 253402300799, years 1970-9999) as "YYYYMMDDTHHMMSSZ"
 * into out, NUL-terminated; pure arithmetic (no locale, time zone or lock):
 * the signer calls it for every request. */
void time_format_amz(int64_t t, char out[17]);
/* Epoch seconds (years 1970-9999) as an RFC 2822 date in UTC, the way
 * Python's email.utils.formatdate() writes it (and botocore signs a Date
 * header): "Sun, 30 Aug 2015 12:36:00 -0000". */
void time_format_rfc2822(int64_t t, char out[32]);
/* Format epoch seconds as ISO 8601 UTC into out (at least 21 bytes). */
void time_format_iso8601(int64_t t, char *out, size_t n);

#endif
