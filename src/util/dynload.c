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
 * them; these definitions of the functions it calls dlopen() the library
 * the first time one is used and forward to it. The headers still come
 * from the -dev packages, so the types and option numbers are exactly the
 * installed library's, and a definition that disagrees with its
 * declaration does not compile.
 *
 * The libraries, their sonames and the functions are listed in
 * src/util/dynload.list, from which mk/gen-dynload.sh writes the
 * forwarders ($(BUILD)/gen/dynload_gen.c, included below); only the
 * functions with variable arguments are written here by hand.
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

static void open_lib(struct lib *l)
{
	size_t i;
	for (i = 0; l->names[i] && !l->handle; i++)
		l->handle = dlopen(l->names[i], RTLD_NOW | RTLD_LOCAL);
	if (!l->handle)
		die("cannot load %s (%s); install the %s package", l->names[0], dlerror(),
		    l->package);
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

/* The libraries, their openers and NAME_FN resolvers, and a forwarder for
 * each function of src/util/dynload.list (mk/gen-dynload.sh). */
#include "dynload_gen.c"

/* ---- by hand: variable arguments ----
 * A va_list cannot be passed on to the library's own variadic function, so
 * these decode the one argument each option takes and pass it as itself. */

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
