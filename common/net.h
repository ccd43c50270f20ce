/* net.h: libcurl, loaded on first use.
 *
 * `imagine` does not link libcurl: its ~20 dependent libraries (krb5, ldap,
 * ssh2, rtmp, gnutls, ...) cost every process ~1 ms in the dynamic loader,
 * and only the HTTP model backend (agents/http.c) and `imagine data fetch`
 * (common/fetch.c, for every suite) use it. They get libcurl through
 * net_curl_load(): dlopen() of $IMAGINE_LIBCURL if set, else
 * "libcurl.so.4", once per process (pthread_once, any thread), never
 * unloaded. Headers come from the libcurl dev package; only the types and
 * constants of <curl/curl.h> are used, never its functions directly. */
#ifndef IMAGINE_NET_H
#define IMAGINE_NET_H

#include <curl/curl.h>
#include <time.h>

#include "err.h"

/* The curl functions imagine calls, resolved from the loaded library. */
typedef struct NetCurl {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    time_t (*getdate)(const char *p, const time_t *unused);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    void (*easy_reset)(CURL *curl);
    void (*easy_cleanup)(CURL *curl);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_setopt)(CURLM *m, CURLMoption option, ...);
    CURLMcode (*multi_add_handle)(CURLM *m, CURL *e);
    CURLMcode (*multi_remove_handle)(CURLM *m, CURL *e);
    CURLMcode (*multi_perform)(CURLM *m, int *running);
    CURLMsg *(*multi_info_read)(CURLM *m, int *left);
    CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd extra[], unsigned n, int timeout_ms, int *ret);
    CURLMcode (*multi_wakeup)(CURLM *m);
    CURLMcode (*multi_cleanup)(CURLM *m);
} NetCurl;

/* Loads libcurl (first call) and sets *out to its table, which lives as
 * long as the process and is never written again. On failure *out is NULL
 * and err (IM_IO) names the library and why, with a hint; a later call
 * returns the same error without trying again. Cheap after the first call. */
int net_curl_load(const NetCurl **out, Err *err);

#endif
