/*
 * The source bundle: which files go in (.ebignore), and a deterministic zip.
 *
 * The same inputs give the same bytes: entries sorted by path, every
 * timestamp 1980-01-01 00:00, external attributes derived only from the file
 * type and its executable bit (0644 or 0755, as git records them; symlinks
 * 0777 and stored as links), deflate at level 6 (libdeflate) or stored. The SHA-256 of the zip
 * therefore identifies its content, and deploy uses it as the S3 key.
 *
 * The function that finds an error (with the rule id where one applies), a
 * warning or a note gives it to the sink its caller passes (NULL: nowhere)
 * rather than printing it; the Dockerrun's diagnostics go to a dr_report
 * (dropped when the caller keeps none). Functions return 0
 * or an EBCTL_ERR_* status.
 */
#ifndef EBCTL_BUNDLE_H
#define EBCTL_BUNDLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ebctl/util.h"

struct dr_report;
struct msgsink;

/* Elastic Beanstalk's source bundle limit (rule bundle-size). */
#define BUNDLE_MAX_BYTES (512ULL * 1024 * 1024)

/* ---- .ebignore (gitignore syntax) ---- */
struct ignore;

/* An empty rule set; free with ignore_free (NULL-safe). */
struct ignore *ignore_new(void);
void ignore_free(struct ignore *ig);
/* Add one line of a .ebignore file: blank lines and "#" comments are
 * skipped, "!" negates, a trailing "/" matches directories only, a "/" at
 * the start or in the middle anchors the pattern to the bundle root,
 * "**" spans directories, "*", "?" and "[...]" never match "/", "\" quotes. */
void ignore_add_line(struct ignore *ig, const char *line);
/* Read a whole .ebignore; a missing file is an empty rule set.
 * Returns 0, or -1 with errno set for any other read error. */
int ignore_load(struct ignore *ig, const char *path);
/* Whether `path` (relative to the root, "/"-separated, no leading "/") is
 * ignored; the last matching rule decides. Parents are not consulted: the
 * walk never descends into an ignored directory, as git does. */
bool ignore_match(const struct ignore *ig, const char *path, bool is_dir);
/* gitignore's pattern match of one pattern against a whole path
 * ("**" included). Exposed for tests. */
bool ignore_wildmatch(const char *pattern, const char *path);

/* ---- file selection ---- */
struct bundle_entry {
	char *path;  /* relative, "/"-separated; directories end without "/" */
	mode_t mode; /* lstat mode (stat mode when deref) */
	uint64_t size;
	dev_t dev; /* the file the walk saw: the zip takes its bytes from no other */
	ino_t ino;
	bool deref; /* a manifest path that is a link: stored as what it points to */
};

struct bundle_files {
	struct bundle_entry *v;
	size_t n;
	bool v3; /* docker-compose.yml is the manifest */
	/* the rules that chose them (bundle_select), for bundle_files_covers;
	 * NULL for a zip's listing (bundle_zip_list) */
	struct ignore *rules;
	bool all;
};

/*
 * Choose the files of the bundle rooted at `dir`: by default
 * Dockerrun.aws.json, docker-compose.yml, .ebextensions/ and .platform/;
 * with `all`, every file under dir. In both cases .ebignore applies and
 * .git/ and .elasticbeanstalk/ are left out, as is `exclude` (the output
 * zip, by device and inode; NULL for none). Entries come sorted by path.
 * Fails (EBCTL_ERR_INVALID, rule bundle-root) without a Dockerrun.aws.json or
 * docker-compose.yml at the root; EBCTL_ERR_INTERRUPTED, without a message,
 * once interrupt_requested() during the walk. Its messages go to sink
 * (NULL: nowhere): why it failed, the note that --all takes the .gitignore,
 * a warning for each link that leaves dir and for each file left out for
 * its type. Caller frees with bundle_files_cleanup.
 */
int bundle_select(const char *dir, bool all, const char *exclude, struct bundle_files *out,
                  const struct msgsink *sink);
void bundle_files_cleanup(struct bundle_files *f);
/* Sort the entries by path, as bundle_select leaves them. */
void bundle_files_sort(struct bundle_files *f);
/* The entries of the zip at zip_path as a selection (paths only, directories
 * without their "/", sorted; no rules). Returns 0, or EBCTL_ERR_INVALID with
 * why given to sink (NULL: nowhere). Caller frees with bundle_files_cleanup. */
int bundle_zip_list(const char *zip_path, struct bundle_files *out, const struct msgsink *sink);
/*
 * Whether a change to `path` (relative to the bundle root, "/"-separated)
 * changes the bundle: it is one of f's entries, or, when `gone` (deleted
 * or renamed away), the rules that chose f (its .ebignore, --all or the
 * default paths, the paths always left out) would have taken it. With no
 * rules (a zip's listing), only the entries count.
 */
bool bundle_files_covers(const struct bundle_files *f, const char *path, bool gone);

/* ---- zip ---- */
/* Write the selected files of `dir` as a deterministic zip at `out_path`
 * (written beside it, then renamed). Returns 0, or EBCTL_ERR_INVALID with why
 * given to sink (NULL: nowhere). */
int bundle_write_zip(const char *dir, const struct bundle_files *files, const char *out_path,
                     const struct msgsink *sink);
/* The same, also taking the digest of the bytes as they are written into
 * `digest` (file_digest_init'd by the caller with its piece size; NULL:
 * none). It is left empty (sha256_hex "", the piece size kept) when the
 * writer had to go back into the file (a file above 8 MiB streamed): then
 * the caller reads the file to take it. Also EBCTL_ERR_INTERRUPTED: on SIGINT,
 * SIGTERM or SIGHUP (interrupt_requested) the writer and the threads that
 * compress stop within an entry (a MiB of a streamed file), the temporary
 * file is removed, and nothing is said. Only the thread that called it
 * gives messages to sink. */
int bundle_zip_write(const char *dir, const struct bundle_files *files, const char *out_path,
                     struct file_digest *digest, const struct msgsink *sink);
/* How many threads compress the entries: n (at most 16), or with 0 (the
 * default) the online CPU count. The bytes do not depend on it. */
void bundle_set_jobs(unsigned n);
unsigned bundle_jobs(void);
/* How far a zip being written is, for a progress line. */
struct bundle_progress {
	size_t files, files_done;   /* entries of the zip, and those written */
	uint64_t bytes, bytes_done; /* bytes of its files as read, and those read */
	int64_t started_ms;         /* time_mono_ms() when the writing began */
	bool finished;              /* the last report: written, failed or interrupted */
};
typedef void (*bundle_progress_fn)(const struct bundle_progress *p, void *arg);
/* Have bundle_zip_write (and so bundle_build) report to fn, on the thread
 * that called it: after each entry, after each MiB of a file streamed, and
 * once with `finished` at the end. fn decides what to show and when. NULL
 * (the default) for no reports. */
void bundle_set_progress(bundle_progress_fn fn, void *arg);
/* Whether a file is stored as it is by its name: types compressed already
 * (.png, .jpg, .gz, .zip, .woff2...). Other entries are deflated, and
 * stored when deflate does not make them smaller. */
bool bundle_store_by_name(const char *path);

/*
 * Check a zip bound for Elastic Beanstalk: a Dockerrun.aws.json or
 * docker-compose.yml at its root (rule bundle-root; a copy in a folder is
 * named in the message), at most BUNDLE_MAX_BYTES (rule bundle-size), and
 * the Dockerrun valid (its diagnostics as in bundle_validate_dir).
 * Returns 0, or EBCTL_ERR_INVALID with the error given to sink (NULL:
 * nowhere) when it is not the Dockerrun's diagnostics.
 */
int bundle_check_zip(const char *zip_path, struct dr_report *diags, const struct msgsink *sink);

/* Validate the bundle's Dockerrun.aws.json as `ebctl validate` does,
 * with the companion files (Dockerfile, docker-compose.yml) that are in
 * the bundle: read from dir for the selected files, or from within a zip.
 * The diagnostics go to `keep` (initialised; the caller renders and
 * cleans it up; NULL drops them). Returns 0 when
 * there are no errors
 * (also when there is no Dockerrun: a v3 compose-only bundle), else
 * EBCTL_ERR_INVALID. A Dockerrun that cannot be read is an error given to
 * sink (NULL: nowhere). */
int bundle_validate_dir(const char *dir, const struct bundle_files *files, struct dr_report *keep,
                        const struct msgsink *sink);
int bundle_validate_zip(const char *zip_path, struct dr_report *keep, const struct msgsink *sink);

/*
 * The whole of `ebctl bundle`: select, validate, zip to out_path, check the
 * size, take its digest. On success `digest` (file_digest_init'd by the
 * caller with the piece size it needs) holds the zip's SHA-256, size and
 * piece CRC32s, taken as it was written where the writer could. The Dockerrun's
 * diagnostics go to `diags` as in bundle_validate_dir; the other notes,
 * warnings and errors to sink (NULL: nowhere). Interrupted
 * (interrupt_requested, while selecting or writing): EBCTL_ERR_INTERRUPTED,
 * without a message, with nothing left at or beside out_path. `files`, when
 * not NULL, receives the selection (empty when it failed; bundle_files_cleanup).
 */
int bundle_build(const char *dir, bool all, const char *out_path, struct file_digest *digest,
                 struct dr_report *diags, struct bundle_files *files, const struct msgsink *sink);

#endif
