/*
 * libcurl and libxml2, loaded on first use.
 *
 * Only the commands that talk to AWS need them, and linking them in
 * costs every command ~35 more shared libraries (GnuTLS, Kerberos, LDAP,
 * ICU, libstdc++...) and ~8 ms of dynamic loading at start-up: more than
 * ten times what `ebctl validate` spends on its work. So ebctl is not
 * linked against them; these definitions of the functions it calls
 * dlopen() the libraries the first time one is used and forward to them.
 * The headers still come from the -dev packages, so the types and option
 * numbers are exactly the installed library's.
 */
#define CURL_DISABLE_TYPECHECK 1 /* the typecheck macros would rename our definitions */
#include <curl/curl.h>
#include <dlfcn.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdarg.h>

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
 * first call. */
#define RESOLVE(lib, opener, fn)                                                                   \
	static __typeof__(fn) *fn##_real;                                                          \
	if (!fn##_real)                                                                            \
	*(void **)&fn##_real = sym(&lib, opener, #fn)
#define CURL_FN(fn) RESOLVE(curl_lib, open_curl, fn)
#define XML_FN(fn)  RESOLVE(xml_lib, open_xml, fn)

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
