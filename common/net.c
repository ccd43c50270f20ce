/* net.c: dlopen() of libcurl and its function table (net.h).
 *
 * Resolved once per process under pthread_once; the table and the error
 * are written only inside the once routine and read-only afterwards.
 * Never calls curl_global_init: the users do, as they did when linked. */
#include "net.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NET_CURL_DEFAULT "libcurl.so.4"

static pthread_once_t net_once = PTHREAD_ONCE_INIT;
static NetCurl net_table;
static int net_ok;
static char net_error[900];

/* One symbol into *slot; 0 when missing (net_error says which). Going
 * through memcpy keeps the object-to-function pointer conversion out of
 * ISO C's sight (-Wpedantic); POSIX guarantees it. */
static int resolve(void *lib, const char *path, const char *name, void *slot) {
    void *p = dlsym(lib, name);
    if (!p) {
        snprintf(net_error, sizeof net_error, "%s has no %s (libcurl 7.68 or newer is needed)", path, name);
        return 0;
    }
    memcpy(slot, &p, sizeof p);
    return 1;
}

static void net_load_once(void) {
    const char *path = getenv("IMAGINE_LIBCURL");
    if (!path || !*path) path = NET_CURL_DEFAULT;
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(net_error, sizeof net_error, "%s", why ? why : path);
        return;
    }
    NetCurl *t = &net_table;
#define R(field, sym) resolve(lib, path, #sym, &t->field)
    int ok = R(global_init, curl_global_init) && R(global_cleanup, curl_global_cleanup) &&
             R(getdate, curl_getdate) && R(easy_init, curl_easy_init) && R(easy_setopt, curl_easy_setopt) &&
             R(easy_perform, curl_easy_perform) && R(easy_getinfo, curl_easy_getinfo) &&
             R(easy_reset, curl_easy_reset) && R(easy_cleanup, curl_easy_cleanup) &&
             R(easy_strerror, curl_easy_strerror) && R(slist_append, curl_slist_append) &&
             R(slist_free_all, curl_slist_free_all) && R(multi_init, curl_multi_init) &&
             R(multi_setopt, curl_multi_setopt) && R(multi_add_handle, curl_multi_add_handle) &&
             R(multi_remove_handle, curl_multi_remove_handle) && R(multi_perform, curl_multi_perform) &&
             R(multi_info_read, curl_multi_info_read) && R(multi_poll, curl_multi_poll) &&
             R(multi_wakeup, curl_multi_wakeup) && R(multi_cleanup, curl_multi_cleanup);
#undef R
    if (!ok) {
        memset(t, 0, sizeof *t);
        dlclose(lib);
        return;
    }
    net_ok = 1; /* lib stays loaded for the life of the process */
}

int net_curl_load(const NetCurl **out, Err *err) {
    pthread_once(&net_once, net_load_once);
    if (net_ok) {
        *out = &net_table;
        return IM_OK;
    }
    *out = NULL;
    return err_set(err, IM_IO,
                   "cannot load libcurl: %s — install libcurl4 (it provides " NET_CURL_DEFAULT
                   ") or set IMAGINE_LIBCURL to the library's path",
                   net_error);
}
