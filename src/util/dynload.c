/*
 * libcurl, libxml2, libcrypto, libzip, libdeflate and zlib, loaded on first
 * use.
 *
 * Only the commands that talk to AWS need libcurl and libxml2, and linking
 * them in costs every command ~35 more shared libraries (GnuTLS, Kerberos,
 * LDAP, ICU, libstdc++...) and ~8 ms of dynamic loading at start-up: more
 * than ten times what `ebctl validate` spends on its work. libcrypto (and
 * libzip, which pulls it in) are smaller but still cost ~1 ms of mapping
 * and relocating per process, as much as validating a file; only signing,
 * hashing and zip work need them. So ebctl is not linked against any of
 * the four; these definitions of the functions it calls dlopen() the
 * library the first time one is used and forward to it. The headers still
 * come from the -dev packages, so the types and option numbers are exactly
 * the installed library's, and a definition that disagrees with its
 * declaration does not compile.
 */
#define CURL_DISABLE_TYPECHECK 1 /* the typecheck macros would rename our definitions */
#include <curl/curl.h>
#include <dlfcn.h>
#include <libdeflate.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdarg.h>
#include <zip.h>
#include <zlib.h>

#include "ebctl/util.h"

struct lib {
	const char *const *names; /* sonames to try, in order */
	const char *package;      /* what to install when none loads */
	void *handle;
	pthread_once_t once;
};

static const char *const curl_names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so", NULL};
static const char *const xml_names[] = {"libxml2.so.2", "libxml2.so", NULL};
static struct lib curl_lib = {curl_names, "libcurl4", NULL, PTHREAD_ONCE_INIT};
static struct lib xml_lib = {xml_names, "libxml2", NULL, PTHREAD_ONCE_INIT};
static const char *const crypto_names[] = {"libcrypto.so.3", "libcrypto.so", NULL};
static const char *const zip_names[] = {"libzip.so.4", "libzip.so.5", "libzip.so", NULL};
static struct lib crypto_lib = {crypto_names, "libssl3", NULL, PTHREAD_ONCE_INIT};
static struct lib zip_lib = {zip_names, "libzip4", NULL, PTHREAD_ONCE_INIT};
/* The bundle's writer: libdeflate for every entry that fits in memory,
 * zlib's stream for the few that do not. */
static const char *const deflate_names[] = {"libdeflate.so.0", "libdeflate.so", NULL};
static const char *const z_names[] = {"libz.so.1", "libz.so", NULL};
static struct lib deflate_lib = {deflate_names, "libdeflate0", NULL, PTHREAD_ONCE_INIT};
static struct lib z_lib = {z_names, "zlib1g", NULL, PTHREAD_ONCE_INIT};

static void open_lib(struct lib *l)
{
	size_t i;
	for (i = 0; l->names[i] && !l->handle; i++)
		l->handle = dlopen(l->names[i], RTLD_NOW | RTLD_LOCAL);
	if (!l->handle)
		die("cannot load %s (%s); install the %s package", l->names[0], dlerror(),
		    l->package);
}

static void open_curl(void)
{
	open_lib(&curl_lib);
}

static void open_xml(void)
{
	open_lib(&xml_lib);
}

static void open_crypto(void)
{
	open_lib(&crypto_lib);
}

static void open_zip(void)
{
	open_lib(&zip_lib);
}

static void open_deflate(void)
{
	open_lib(&deflate_lib);
}

static void open_z(void)
{
	open_lib(&z_lib);
}

static void *sym(struct lib *l, void (*opener)(void), const char *name)
{
	void *p;
	pthread_once(&l->once, opener);
	if (!(p = dlsym(l->handle, name)))
		die("%s has no '%s': %s", l->names[0], name, dlerror());
	return p;
}

/* Resolve once per function: the pointer, of the same type as our own
 * definition (which matches the library's header), is looked up on the
 * first call. Upload and deploy threads may make that call at once, so
 * the cached pointer is read and written atomically (they store the same
 * value). */
#define RESOLVE(lib, opener, fn)                                                                   \
	static __typeof__(fn) *fn##_cached;                                                        \
	__typeof__(fn) *fn##_real = __atomic_load_n(&fn##_cached, __ATOMIC_ACQUIRE);               \
	if (!fn##_real) {                                                                          \
		*(void **)&fn##_real = sym(&lib, opener, #fn);                                     \
		__atomic_store_n(&fn##_cached, fn##_real, __ATOMIC_RELEASE);                       \
	}
#define CURL_FN(fn)    RESOLVE(curl_lib, open_curl, fn)
#define XML_FN(fn)     RESOLVE(xml_lib, open_xml, fn)
#define CRYPTO_FN(fn)  RESOLVE(crypto_lib, open_crypto, fn)
#define ZIP_FN(fn)     RESOLVE(zip_lib, open_zip, fn)
#define DEFLATE_FN(fn) RESOLVE(deflate_lib, open_deflate, fn)
#define Z_FN(fn)       RESOLVE(z_lib, open_z, fn)

/* ---- libcurl ---- */

CURLcode curl_global_init(long flags)
{
	CURL_FN(curl_global_init);
	return curl_global_init_real(flags);
}

CURL *curl_easy_init(void)
{
	CURL_FN(curl_easy_init);
	return curl_easy_init_real();
}

void curl_easy_cleanup(CURL *h)
{
	CURL_FN(curl_easy_cleanup);
	curl_easy_cleanup_real(h);
}

void curl_easy_reset(CURL *h)
{
	CURL_FN(curl_easy_reset);
	curl_easy_reset_real(h);
}

CURLcode curl_easy_perform(CURL *h)
{
	CURL_FN(curl_easy_perform);
	return curl_easy_perform_real(h);
}

/* The value's type follows from the option number's range (curl.h's
 * CURLOPTTYPE_*): long, object pointer, function pointer, curl_off_t or blob. */
CURLcode curl_easy_setopt(CURL *h, CURLoption option, ...)
{
	va_list ap;
	CURLcode rc;
	CURL_FN(curl_easy_setopt);
	va_start(ap, option);
	if (option < CURLOPTTYPE_OBJECTPOINT) {
		rc = curl_easy_setopt_real(h, option, va_arg(ap, long));
	} else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
		rc = curl_easy_setopt_real(h, option, va_arg(ap, void *));
	} else if (option < CURLOPTTYPE_OFF_T) {
		void (*fn)(void) = va_arg(ap, void (*)(void));
		rc = curl_easy_setopt_real(h, option, fn);
	} else if (option < CURLOPTTYPE_BLOB) {
		rc = curl_easy_setopt_real(h, option, va_arg(ap, curl_off_t));
	} else {
		rc = curl_easy_setopt_real(h, option, va_arg(ap, void *));
	}
	va_end(ap);
	return rc;
}

/* Every CURLINFO takes a pointer to the result. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	va_list ap;
	void *out;
	CURL_FN(curl_easy_getinfo);
	va_start(ap, info);
	out = va_arg(ap, void *);
	va_end(ap);
	return curl_easy_getinfo_real(h, info, out);
}

const char *curl_easy_strerror(CURLcode code)
{
	CURL_FN(curl_easy_strerror);
	return curl_easy_strerror_real(code);
}

time_t curl_getdate(const char *p, const time_t *unused)
{
	CURL_FN(curl_getdate);
	return curl_getdate_real(p, unused);
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	CURL_FN(curl_slist_append);
	return curl_slist_append_real(l, s);
}

void curl_slist_free_all(struct curl_slist *l)
{
	CURL_FN(curl_slist_free_all);
	curl_slist_free_all_real(l);
}

CURLM *curl_multi_init(void)
{
	CURL_FN(curl_multi_init);
	return curl_multi_init_real();
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *h)
{
	CURL_FN(curl_multi_add_handle);
	return curl_multi_add_handle_real(m, h);
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h)
{
	CURL_FN(curl_multi_remove_handle);
	return curl_multi_remove_handle_real(m, h);
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
	CURL_FN(curl_multi_cleanup);
	return curl_multi_cleanup_real(m);
}

CURLMsg *curl_multi_info_read(CURLM *m, int *left)
{
	CURL_FN(curl_multi_info_read);
	return curl_multi_info_read_real(m, left);
}

CURLMcode curl_multi_perform(CURLM *m, int *running)
{
	CURL_FN(curl_multi_perform);
	return curl_multi_perform_real(m, running);
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd extra[], unsigned int n, int timeout_ms,
                          int *ret)
{
	CURL_FN(curl_multi_poll);
	return curl_multi_poll_real(m, extra, n, timeout_ms, ret);
}

CURLSH *curl_share_init(void)
{
	CURL_FN(curl_share_init);
	return curl_share_init_real();
}

CURLSHcode curl_share_cleanup(CURLSH *s)
{
	CURL_FN(curl_share_cleanup);
	return curl_share_cleanup_real(s);
}

/* SHARE/UNSHARE take a curl_lock_data (an int); the rest a pointer. */
CURLSHcode curl_share_setopt(CURLSH *s, CURLSHoption option, ...)
{
	va_list ap;
	CURLSHcode rc;
	CURL_FN(curl_share_setopt);
	va_start(ap, option);
	if (option == CURLSHOPT_SHARE || option == CURLSHOPT_UNSHARE)
		rc = curl_share_setopt_real(s, option, va_arg(ap, int));
	else
		rc = curl_share_setopt_real(s, option, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLU *curl_url(void)
{
	CURL_FN(curl_url);
	return curl_url_real();
}

void curl_url_cleanup(CURLU *u)
{
	CURL_FN(curl_url_cleanup);
	curl_url_cleanup_real(u);
}

CURLUcode curl_url_set(CURLU *u, CURLUPart what, const char *part, unsigned int flags)
{
	CURL_FN(curl_url_set);
	return curl_url_set_real(u, what, part, flags);
}

/* later curl headers declare the handle const; this follows the installed one (7.88) */
CURLUcode curl_url_get(CURLU *u, CURLUPart what, char **part, unsigned int flags)
{
	CURL_FN(curl_url_get);
	return curl_url_get_real(u, what, part, flags);
}

/* Frees what libcurl allocated (curl_url_get's parts). */
void curl_free(void *p)
{
	CURL_FN(curl_free);
	curl_free_real(p);
}

/* ---- libxml2 ---- */

xmlDocPtr xmlReadMemory(const char *buffer, int size, const char *url, const char *encoding,
                        int options)
{
	XML_FN(xmlReadMemory);
	return xmlReadMemory_real(buffer, size, url, encoding, options);
}

xmlNodePtr xmlDocGetRootElement(const xmlDoc *doc)
{
	XML_FN(xmlDocGetRootElement);
	return xmlDocGetRootElement_real(doc);
}

void xmlFreeDoc(xmlDocPtr doc)
{
	XML_FN(xmlFreeDoc);
	xmlFreeDoc_real(doc);
}

void xmlInitParser(void)
{
	XML_FN(xmlInitParser);
	xmlInitParser_real();
}

/* ---- libcrypto ---- */

EVP_MD_CTX *EVP_MD_CTX_new(void)
{
	CRYPTO_FN(EVP_MD_CTX_new);
	return EVP_MD_CTX_new_real();
}

void EVP_MD_CTX_free(EVP_MD_CTX *ctx)
{
	CRYPTO_FN(EVP_MD_CTX_free);
	EVP_MD_CTX_free_real(ctx);
}

const EVP_MD *EVP_sha256(void)
{
	CRYPTO_FN(EVP_sha256);
	return EVP_sha256_real();
}

const EVP_MD *EVP_sha1(void)
{
	CRYPTO_FN(EVP_sha1);
	return EVP_sha1_real();
}

const EVP_MD *EVP_md5(void)
{
	CRYPTO_FN(EVP_md5);
	return EVP_md5_real();
}

int EVP_DigestInit_ex(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl)
{
	CRYPTO_FN(EVP_DigestInit_ex);
	return EVP_DigestInit_ex_real(ctx, type, impl);
}

int EVP_DigestUpdate(EVP_MD_CTX *ctx, const void *d, size_t cnt)
{
	CRYPTO_FN(EVP_DigestUpdate);
	return EVP_DigestUpdate_real(ctx, d, cnt);
}

int EVP_DigestFinal_ex(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s)
{
	CRYPTO_FN(EVP_DigestFinal_ex);
	return EVP_DigestFinal_ex_real(ctx, md, s);
}

int EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size,
               const EVP_MD *type, ENGINE *impl)
{
	CRYPTO_FN(EVP_Digest);
	return EVP_Digest_real(data, count, md, size, type, impl);
}

unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len, const unsigned char *data,
                    size_t data_len, unsigned char *md, unsigned int *md_len)
{
	CRYPTO_FN(HMAC);
	return HMAC_real(evp_md, key, key_len, data, data_len, md, md_len);
}

int EVP_EncodeBlock(unsigned char *t, const unsigned char *f, int n)
{
	CRYPTO_FN(EVP_EncodeBlock);
	return EVP_EncodeBlock_real(t, f, n);
}

int RAND_bytes(unsigned char *buf, int num)
{
	CRYPTO_FN(RAND_bytes);
	return RAND_bytes_real(buf, num);
}

void OPENSSL_cleanse(void *ptr, size_t len)
{
	CRYPTO_FN(OPENSSL_cleanse);
	OPENSSL_cleanse_real(ptr, len);
}

int CRYPTO_memcmp(const void *a, const void *b, size_t len)
{
	CRYPTO_FN(CRYPTO_memcmp);
	return CRYPTO_memcmp_real(a, b, len);
}

/* ---- libzip ---- */

zip_t *zip_open(const char *path, int flags, int *errorp)
{
	ZIP_FN(zip_open);
	return zip_open_real(path, flags, errorp);
}

int zip_close(zip_t *za)
{
	ZIP_FN(zip_close);
	return zip_close_real(za);
}

void zip_discard(zip_t *za)
{
	ZIP_FN(zip_discard);
	zip_discard_real(za);
}

const char *zip_strerror(zip_t *za)
{
	ZIP_FN(zip_strerror);
	return zip_strerror_real(za);
}

void zip_error_init_with_code(zip_error_t *err, int code)
{
	ZIP_FN(zip_error_init_with_code);
	zip_error_init_with_code_real(err, code);
}

const char *zip_error_strerror(zip_error_t *err)
{
	ZIP_FN(zip_error_strerror);
	return zip_error_strerror_real(err);
}

void zip_error_fini(zip_error_t *err)
{
	ZIP_FN(zip_error_fini);
	zip_error_fini_real(err);
}

zip_int64_t zip_dir_add(zip_t *za, const char *name, zip_flags_t flags)
{
	ZIP_FN(zip_dir_add);
	return zip_dir_add_real(za, name, flags);
}

zip_int64_t zip_file_add(zip_t *za, const char *name, zip_source_t *src, zip_flags_t flags)
{
	ZIP_FN(zip_file_add);
	return zip_file_add_real(za, name, src, flags);
}

int zip_file_get_external_attributes(zip_t *za, zip_uint64_t idx, zip_flags_t flags,
                                     zip_uint8_t *opsys, zip_uint32_t *attributes)
{
	ZIP_FN(zip_file_get_external_attributes);
	return zip_file_get_external_attributes_real(za, idx, flags, opsys, attributes);
}

zip_source_t *zip_source_buffer(zip_t *za, const void *data, zip_uint64_t len, int freep)
{
	ZIP_FN(zip_source_buffer);
	return zip_source_buffer_real(za, data, len, freep);
}

zip_source_t *zip_source_file(zip_t *za, const char *name, zip_uint64_t start, zip_int64_t len)
{
	ZIP_FN(zip_source_file);
	return zip_source_file_real(za, name, start, len);
}

zip_int64_t zip_get_num_entries(zip_t *za, zip_flags_t flags)
{
	ZIP_FN(zip_get_num_entries);
	return zip_get_num_entries_real(za, flags);
}

const char *zip_get_name(zip_t *za, zip_uint64_t idx, zip_flags_t flags)
{
	ZIP_FN(zip_get_name);
	return zip_get_name_real(za, idx, flags);
}

zip_int64_t zip_name_locate(zip_t *za, const char *name, zip_flags_t flags)
{
	ZIP_FN(zip_name_locate);
	return zip_name_locate_real(za, name, flags);
}

zip_file_t *zip_fopen(zip_t *za, const char *name, zip_flags_t flags)
{
	ZIP_FN(zip_fopen);
	return zip_fopen_real(za, name, flags);
}

zip_file_t *zip_fopen_index(zip_t *za, zip_uint64_t idx, zip_flags_t flags)
{
	ZIP_FN(zip_fopen_index);
	return zip_fopen_index_real(za, idx, flags);
}

zip_int64_t zip_fread(zip_file_t *zf, void *buf, zip_uint64_t n)
{
	ZIP_FN(zip_fread);
	return zip_fread_real(zf, buf, n);
}

int zip_fclose(zip_file_t *zf)
{
	ZIP_FN(zip_fclose);
	return zip_fclose_real(zf);
}

const char *zip_file_strerror(zip_file_t *zf)
{
	ZIP_FN(zip_file_strerror);
	return zip_file_strerror_real(zf);
}

/* ---- libdeflate ---- */

struct libdeflate_compressor *libdeflate_alloc_compressor(int level)
{
	DEFLATE_FN(libdeflate_alloc_compressor);
	return libdeflate_alloc_compressor_real(level);
}

size_t libdeflate_deflate_compress(struct libdeflate_compressor *c, const void *in, size_t in_n,
                                   void *out, size_t out_n)
{
	DEFLATE_FN(libdeflate_deflate_compress);
	return libdeflate_deflate_compress_real(c, in, in_n, out, out_n);
}

size_t libdeflate_deflate_compress_bound(struct libdeflate_compressor *c, size_t in_n)
{
	DEFLATE_FN(libdeflate_deflate_compress_bound);
	return libdeflate_deflate_compress_bound_real(c, in_n);
}

void libdeflate_free_compressor(struct libdeflate_compressor *c)
{
	DEFLATE_FN(libdeflate_free_compressor);
	libdeflate_free_compressor_real(c);
}

uint32_t libdeflate_crc32(uint32_t crc, const void *buf, size_t len)
{
	DEFLATE_FN(libdeflate_crc32);
	return libdeflate_crc32_real(crc, buf, len);
}

/* ---- zlib ---- */

int deflateInit2_(z_streamp strm, int level, int method, int window_bits, int mem_level,
                  int strategy, const char *version, int stream_size)
{
	Z_FN(deflateInit2_);
	return deflateInit2__real(strm, level, method, window_bits, mem_level, strategy, version,
	                          stream_size);
}

int deflate(z_streamp strm, int flush)
{
	Z_FN(deflate);
	return deflate_real(strm, flush);
}

int deflateEnd(z_streamp strm)
{
	Z_FN(deflateEnd);
	return deflateEnd_real(strm);
}
